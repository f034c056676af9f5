/** C-CDA document types by their LOINC document code (ClinicalDocument/code/@code). */
const DOCUMENT_TYPES: Readonly<Record<string, string>> = {
  '34133-9': 'CCD',
  '18842-5': 'DischargeSummary',
  '11506-3': 'ProgressNote',
  '34117-2': 'HistoryAndPhysical',
  '11488-4': 'ConsultationNote',
  '57133-1': 'ReferralNote',
  '18761-7': 'TransferSummary',
  '52521-2': 'CarePlan',
  '11504-8': 'OperativeNote',
  '28570-0': 'ProcedureNote',
  '18748-4': 'DiagnosticImagingReport',
  '81218-0': 'CarePlan',
  '18726-0': 'DiagnosticImagingReport',
};

/** Document-level templates that name the type when the code does not (US Realm Header variants). */
const TEMPLATE_TYPES: Readonly<Record<string, string>> = {
  '2.16.840.1.113883.10.20.22.1.2': 'CCD',
  '2.16.840.1.113883.10.20.22.1.8': 'DischargeSummary',
  '2.16.840.1.113883.10.20.22.1.9': 'ProgressNote',
  '2.16.840.1.113883.10.20.22.1.3': 'HistoryAndPhysical',
  '2.16.840.1.113883.10.20.22.1.4': 'ConsultationNote',
  '2.16.840.1.113883.10.20.22.1.14': 'ReferralNote',
  '2.16.840.1.113883.10.20.22.1.13': 'TransferSummary',
  '2.16.840.1.113883.10.20.22.1.15': 'CarePlan',
  '2.16.840.1.113883.10.20.22.1.7': 'OperativeNote',
  '2.16.840.1.113883.10.20.22.1.6': 'ProcedureNote',
  '2.16.840.1.113883.10.20.22.1.5': 'DiagnosticImagingReport',
  '2.16.840.1.113883.10.20.22.1.10': 'UnstructuredDocument',
};

export interface DocumentHeader {
  readonly code?: string;
  readonly templateIds: readonly string[];
}

/** The record kind of a document: its template's type, else its code's, else `LOINC:<code>`. */
export function documentKind(header: DocumentHeader): string {
  for (const id of header.templateIds) {
    const type = TEMPLATE_TYPES[id];
    if (type && type !== 'UnstructuredDocument') return type;
  }
  if (header.code && DOCUMENT_TYPES[header.code]) return DOCUMENT_TYPES[header.code] as string;
  if (header.templateIds.includes('2.16.840.1.113883.10.20.22.1.10')) return 'UnstructuredDocument';
  return header.code ? `LOINC:${header.code}` : 'ClinicalDocument';
}
