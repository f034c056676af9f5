import { parseGrammar } from './grammar.ts';
import type { GroupNode } from './grammar.ts';

/**
 * Message structures (v2.8 where the HL7 V2-to-FHIR IG gives them — ADT_A01, MDM_T02, OML_O21,
 * ORU_R01, SIU_S12, VXU_V04, copied from its message tables and checked against them by a test —
 * and v2.5.1 shapes with the v2.8 additions (PRT, ARV, TQ1) the samples use for the rest). Older
 * versions' messages fit these supersets.
 */
const GRAMMARS: Readonly<Record<string, string>> = {
  ADT_A01: 'MSH [{ARV}] [{SFT}] [UAC] EVN PID [PD1] [{OH1}] [{OH2}] [OH3] [{OH4}] [{ARV}] [{ROL}] [{PRT}] [{NEXT_OF_KIN: NK1 [{OH2}] [OH3]}] PV1 [PV2] [{ARV}] [{ROL}] [{PRT}] [{DB1}] [{OBSERVATION: OBX [{PRT}]}] [{AL1}] [{IAM}] [{DG1}] [DRG] [{PROCEDURE: PR1 [{ROL}] [{PRT}]}] [{GT1}] [{INSURANCE: IN1 [IN2] [{IN3}] [{ROL}] [{PRT}] [{AUTHORIZATION: AUT [{PRT}]}] [{REFERRAL: RF1 [{PRT}]}]}] [ACC] [UB1] [UB2] [PDA]',
  ADT_A02: 'MSH [{SFT}] [UAC] EVN PID [PD1] [{ARV}] [{ROL}] [{PRT}] PV1 [PV2] [{ARV}] [{ROL}] [{PRT}] [{DB1}] [{OBSERVATION: OBX [{PRT}]}] [PDA]',
  ADT_A03: 'MSH [{SFT}] [UAC] EVN PID [PD1] [{ARV}] [{ROL}] [{PRT}] [{NEXT_OF_KIN: NK1}] PV1 [PV2] [{ARV}] [{ROL}] [{PRT}] [{DB1}] [{AL1}] [{DG1}] [DRG] [{PROCEDURE: PR1 [{ROL}] [{PRT}]}] [{OBSERVATION: OBX [{PRT}]}] [{GT1}] [{INSURANCE: IN1 [IN2] [{IN3}] [{ROL}] [{PRT}] [{AUTHORIZATION: AUT [{PRT}]}] [{REFERRAL: RF1 [{PRT}]}]}] [ACC] [PDA]',
  ADT_A06: 'MSH [{SFT}] [UAC] EVN PID [PD1] [{ARV}] [{ROL}] [{PRT}] [MRG] [{NEXT_OF_KIN: NK1}] PV1 [PV2] [{ARV}] [{ROL}] [{PRT}] [{DB1}] [{OBSERVATION: OBX [{PRT}]}] [{AL1}] [{DG1}] [DRG] [{PROCEDURE: PR1 [{ROL}] [{PRT}]}] [{GT1}] [{INSURANCE: IN1 [IN2] [{IN3}] [{ROL}] [{PRT}]}] [ACC] [UB1] [UB2]',
  ADT_A09: 'MSH [{SFT}] [UAC] EVN PID [PD1] PV1 [PV2] [{DB1}] [{OBSERVATION: OBX [{PRT}]}] [{DG1}]',
  ADT_A12: 'MSH [{SFT}] [UAC] EVN PID [PD1] PV1 [PV2] [{DB1}] [{OBSERVATION: OBX [{PRT}]}] [DG1]',
  ADT_A15: 'MSH [{SFT}] [UAC] EVN PID [PD1] [{ARV}] [{ROL}] [{PRT}] PV1 [PV2] [{ARV}] [{ROL}] [{PRT}] [{DB1}] [{OBSERVATION: OBX [{PRT}]}] [{DG1}]',
  ADT_A16: 'MSH [{SFT}] [UAC] EVN PID [PD1] [{ARV}] [{ROL}] [{PRT}] [{NEXT_OF_KIN: NK1}] PV1 [PV2] [{ARV}] [{ROL}] [{PRT}] [{DB1}] [{OBSERVATION: OBX [{PRT}]}] [{AL1}] [{DG1}] [DRG] [{PROCEDURE: PR1 [{ROL}] [{PRT}]}] [{GT1}] [{INSURANCE: IN1 [IN2] [{IN3}] [{ROL}] [{PRT}]}] [ACC]',
  ADT_A21: 'MSH [{SFT}] [UAC] EVN PID [PD1] PV1 [PV2] [{DB1}] [{OBSERVATION: OBX [{PRT}]}]',
  ADT_A30: 'MSH [{SFT}] [UAC] EVN PID [PD1] MRG',
  ADT_A39: 'MSH [{SFT}] [UAC] EVN {PATIENT: PID [PD1] MRG [PV1]}',
  ADT_A43: 'MSH [{SFT}] [UAC] EVN {PATIENT: PID [PD1] MRG}',
  ADT_A45: 'MSH [{SFT}] [UAC] EVN PID [PD1] {MERGE_INFO: MRG PV1}',
  ADT_A60: 'MSH [{SFT}] [UAC] EVN PID [{ARV}] [VISIT: PV1 [PV2] [{ARV}]] [{ADVERSE_REACTION_GROUP: IAM [{NTE}] [{IAR}]}]',
  BAR_P01: 'MSH [{SFT}] [UAC] EVN PID [PD1] [{ROL}] [{PRT}] {VISIT: [PV1] [PV2] [{ROL}] [{PRT}] [{DB1}] [{OBX}] [{AL1}] [{DG1}] [DRG] [{PROCEDURE: PR1 [{ROL}] [{PRT}]}] [{GT1}] [{NK1}] [{INSURANCE: IN1 [IN2] [{IN3}] [{ROL}] [{PRT}]}] [ACC] [UB1] [UB2]}',
  BAR_P02: 'MSH [{SFT}] [UAC] EVN {PATIENT: PID [PD1] [PV1] [{DB1}]}',
  BAR_P12: 'MSH [{SFT}] [UAC] EVN PID PV1 [{DG1}] [DRG] [{PROCEDURE: PR1 [{ROL}]}] [{OBX}]',
  DFT_P03: 'MSH [{SFT}] [UAC] EVN PID [PD1] [{ROL}] [{PRT}] [PV1] [PV2] [{ROL}] [{PRT}] [{DB1}] [{COMMON_ORDER: [ORC] [TIMING_QUANTITY: TQ1 [{TQ2}]] [ORDER: OBR [{NTE}]] [{OBSERVATION: OBX [{NTE}]}]}] {FINANCIAL: FT1 [{NTE}] [{PRT}] [{FINANCIAL_PROCEDURE: PR1 [{ROL}] [{PRT}]}] [{FINANCIAL_COMMON_ORDER: [ORC] [FINANCIAL_TIMING_QUANTITY: TQ1 [{TQ2}]] [FINANCIAL_ORDER: OBR [{NTE}]] [{FINANCIAL_OBSERVATION: OBX [{NTE}]}]}]} [{DG1}] [DRG] [{GT1}] [{INSURANCE: IN1 [IN2] [{IN3}] [{ROL}] [{PRT}]}] [ACC]',
  DFT_P11: 'MSH [{SFT}] [UAC] EVN PID [PD1] [{ROL}] [{PRT}] [PV1] [PV2] [{ROL}] [{PRT}] [{DB1}] [{COMMON_ORDER: [ORC] [TIMING_QUANTITY: TQ1 [{TQ2}]] [ORDER: OBR [{NTE}]] [{OBSERVATION: OBX [{NTE}]}]}] [{DG1}] [DRG] [{GT1}] [{INSURANCE: IN1 [IN2] [{IN3}] [{ROL}] [{PRT}]}] [ACC] {FINANCIAL: FT1 [{NTE}] [{PRT}] [{FINANCIAL_PROCEDURE: PR1 [{ROL}] [{PRT}]}] [{FINANCIAL_COMMON_ORDER: [ORC] [FINANCIAL_TIMING_QUANTITY: TQ1 [{TQ2}]] [FINANCIAL_ORDER: OBR [{NTE}]] [{FINANCIAL_OBSERVATION: OBX [{NTE}]}]}] [{DG1}] [DRG] [{GT1}] [{FINANCIAL_INSURANCE: IN1 [IN2] [{IN3}] [{ROL}] [{PRT}]}]}',
  MDM_T01: 'MSH [{SFT}] [UAC] EVN PID PV1 [{COMMON_ORDER: ORC [{TIMING: TQ1 [{TQ2}]}] OBR [{NTE}]}] TXA [{CON}]',
  MDM_T02: 'MSH [{SFT}] [UAC] EVN PID PV1 [{COMMON_ORDER: ORC [{TIMING: TQ1 [{TQ2}]}] OBR [{NTE}]}] TXA [{CON}] {OBSERVATION: OBX [{NTE}]}',
  OMG_O19: 'MSH [{SFT}] [UAC] [{NTE}] [PATIENT: PID [PD1] [{PRT}] [{NTE}] [{NK1}] [{ARV}] [PATIENT_VISIT: PV1 [PV2] [{PRT}]] [{INSURANCE: IN1 [IN2] [IN3]}] [GT1] [{AL1}]] {ORDER: ORC [{PRT}] [{TIMING: TQ1 [{TQ2}]}] OBR [{NTE}] [{PRT}] [CTD] [{DG1}] [{OBSERVATION: OBX [{PRT}] [{NTE}]}] [{SPECIMEN: SPM [{SPECIMEN_OBSERVATION: OBX [{PRT}]}] [{CONTAINER: SAC [{CONTAINER_OBSERVATION: OBX [{PRT}]}]}]}] [{PRIOR_RESULT: [PATIENT_PRIOR: PID [PD1] [{PRT}]] [PATIENT_VISIT_PRIOR: PV1 [PV2] [{PRT}]] [{AL1}] {ORDER_PRIOR: [ORC] [{PRT}] OBR [{TIMING_PRIOR: TQ1 [{TQ2}]}] [{NTE}] [{PRT}] [CTD] {OBSERVATION_PRIOR: OBX [{PRT}] [{NTE}]}}}] [{FT1}] [{CTI}] [BLG]}',
  OML_O21: 'MSH [{SFT}] [UAC] [{NTE}] [PATIENT: PID [PD1] [{PRT}] [{NTE}] [{NK1}] [{ARV}] [PATIENT_VISIT: PV1 [PV2] [{PRT}]] [{INSURANCE: IN1 [IN2] [IN3]}] [GT1] [{AL1}]] {ORDER: ORC [{PRT}] [{TIMING: TQ1 [{TQ2}]}] [OBSERVATION_REQUEST: OBR [TCD] [{NTE}] [{PRT}] [CTD] [{DG1}] [{OBSERVATION: OBX [{PRT}] [TCD] [{NTE}]}] [{SPECIMEN: SPM [{SPECIMEN_OBSERVATION: OBX [{PRT}]}] [{CONTAINER: SAC [{CONTAINER_OBSERVATION: OBX [{PRT}]}]}]}] [SGH] [{PRIOR_RESULT: [PATIENT_PRIOR: PID [PD1] [{PRT}] [{ARV}]] [RESULT_VISIT_PRIOR: PV1 [PV2] [{PRT}]] [{AL1}] {ORDER_PRIOR: ORC [{PRT}] OBR [{NTE}] [{TIMING_PRIOR: TQ1 [{TQ2}]}] {OBSERVATION_PRIOR: OBX [{PRT}] [{NTE}]}}}] [SGT]] [{FT1}] [{CTI}] [BLG]}',
  ORM_O01: 'MSH [{NTE}] [PATIENT: PID [PD1] [{NTE}] [PATIENT_VISIT: PV1 [PV2]] [{INSURANCE: IN1 [IN2] [IN3]}] [GT1] [{AL1}]] {ORDER: ORC [ORDER_DETAIL: OBR [{NTE}] [CTD] [{DG1}] [{OBSERVATION: OBX [{NTE}]}]] [{FT1}] [{CTI}] [BLG]}',
  ORU_R01: 'MSH [{SFT}] [UAC] {PATIENT_RESULT: [PATIENT: PID [PD1] [{PRT}] [{NTE}] [{NK1}] [{ARV}] [{PATIENT_OBSERVATION: OBX [{PRT}]}] [VISIT: PV1 [PV2] [{PRT}]]] {ORDER_OBSERVATION: [COMMON_ORDER: ORC [{PRT}] [ORDER_DOCUMENT: OBX [{PRT}] TXA]] OBR [{NTE}] [{PRT}] [{TIMING_QTY: TQ1 [{TQ2}]}] [CTD] [{OBSERVATION: OBX [{PRT}] [{NTE}]}] [{FT1}] [{CTI}] [{SPECIMEN: SPM [{SPECIMEN_OBSERVATION: OBX [{PRT}]}]}]}} [DSC]',
  OUL_R22: 'MSH [{SFT}] [UAC] [NTE] [PATIENT: PID [PD1] [{PRT}] [{NTE}] [{PATIENT_OBSERVATION: OBX [{PRT}]}]] [VISIT: PV1 [PV2] [{PRT}]] {SPECIMEN: SPM [{SPECIMEN_OBSERVATION: OBX [{PRT}]}] [{CONTAINER: SAC [INV]}] {ORDER: OBR [{PRT}] [COMMON_ORDER: ORC [{PRT}] [ORDER_DOCUMENT: OBX [{PRT}] TXA]] [{NTE}] [{TIMING_QTY: TQ1 [{TQ2}]}] [{RESULT: OBX [{PRT}] [TCD] [{SID}] [{NTE}]}] [{CTI}]}} [DSC]',
  OUL_R23: 'MSH [{SFT}] [UAC] [NTE] [PATIENT: PID [PD1] [{PRT}] [{NTE}] [{PATIENT_OBSERVATION: OBX [{PRT}]}]] [VISIT: PV1 [PV2] [{PRT}]] {SPECIMEN: SPM [{SPECIMEN_OBSERVATION: OBX [{PRT}]}] {CONTAINER: SAC [INV] {ORDER: OBR [{PRT}] [COMMON_ORDER: ORC [{PRT}] [ORDER_DOCUMENT: OBX [{PRT}] TXA]] [{NTE}] [{TIMING_QTY: TQ1 [{TQ2}]}] [{RESULT: OBX [{PRT}] [TCD] [{SID}] [{NTE}]}] [{CTI}]}}} [DSC]',
  OUL_R24: 'MSH [{SFT}] [UAC] [NTE] [PATIENT: PID [PD1] [{PRT}] [{NTE}] [{PATIENT_OBSERVATION: OBX [{PRT}]}]] [VISIT: PV1 [PV2] [{PRT}]] {ORDER: OBR [{PRT}] [COMMON_ORDER: ORC [{PRT}] [ORDER_DOCUMENT: OBX [{PRT}] TXA]] [{NTE}] [{TIMING_QTY: TQ1 [{TQ2}]}] [{SPECIMEN: SPM [{SPECIMEN_OBSERVATION: OBX [{PRT}]}] [{CONTAINER: SAC [INV]}]}] [{RESULT: OBX [{PRT}] [TCD] [{SID}] [{NTE}]}] [{CTI}]} [DSC]',
  PPR_PC1: 'MSH [{SFT}] [UAC] PID [PATIENT_VISIT: PV1 [PV2]] {PROBLEM: PRB [{NTE}] [{VAR}] [{PROBLEM_ROLE: ROL [{VAR}]}] [{PATHWAY: PTH [{VAR}]}] [{GOAL: GOL [{NTE}] [{VAR}]}] [{ORDER: ORC [ORDER_DETAIL: OBR [{NTE}] [{VAR}] [{ORDER_OBSERVATION: OBX [{NTE}] [{VAR}]}]]}]}',
  RDE_O11: 'MSH [{SFT}] [UAC] [{NTE}] [PATIENT: PID [PD1] [{PRT}] [{NTE}] [PATIENT_VISIT: PV1 [PV2] [{PRT}]] [{INSURANCE: IN1 [IN2] [IN3]}] [GT1] [{AL1}]] {ORDER: ORC [{PRT}] [{TIMING: TQ1 [{TQ2}]}] [ORDER_DETAIL: RXO [{PRT}] [{NTE}] [{RXR}] [{COMPONENT: RXC [{NTE}]}]] [{PRT}] RXE [{PRT}] [{NTE}] [{TIMING_ENCODED: TQ1 [{TQ2}]}] [{RXR}] [{RXC}] [{CDO}] [{OBSERVATION: OBX [{PRT}] [{NTE}]}] [{FT1}] [BLG] [{CTI}]}',
  RDS_O13: 'MSH [{SFT}] [UAC] [{NTE}] [PATIENT: PID [PD1] [{PRT}] [{NTE}] [{AL1}] [PATIENT_VISIT: PV1 [PV2] [{PRT}]]] {ORDER: ORC [{PRT}] [{TIMING: TQ1 [{TQ2}]}] [ORDER_DETAIL: RXO [{PRT}] [{NTE}] [{RXR}] [{COMPONENT: RXC [{NTE}]}]] [ENCODING: RXE [{PRT}] [{NTE}] [{TIMING_ENCODED: TQ1 [{TQ2}]}] [{RXR}] [{RXC}]] RXD [{PRT}] [{NTE}] [{RXR}] [{RXC}] [{CDO}] [{OBSERVATION: OBX [{PRT}] [{NTE}]}] [{FT1}]}',
  REF_I12: 'MSH [{SFT}] [UAC] RF1 [{AUTHORIZATION_CONTACT: AUT [CTD]}] {PROVIDER_CONTACT: PRD [{CTD}]} PID [{NK1}] [{GT1}] [{INSURANCE: IN1 [IN2] [IN3]}] [ACC] [{DG1}] [{DRG}] [{AL1}] [{PROCEDURE: PR1 [AUTHORIZATION: AUT [CTD]]}] [{OBSERVATION: OBR [{NTE}] [{RESULTS_NOTES: OBX [{NTE}]}]}] [PATIENT_VISIT: PV1 [PV2]] [{NTE}]',
  SIU_S12: 'MSH SCH [{TQ1}] [{NTE}] [{PATIENT: PID [PV1] [PV2] [{OBX}] [{DG1}]}] {RESOURCES: RGS [{SERVICE: AIS [{NTE}]}] [{GENERAL_RESOURCE: AIG [{NTE}]}] [{LOCATION_RESOURCE: AIL [{NTE}]}] [{PERSONNEL_RESOURCE: AIP [{NTE}]}]}',
  VXU_V04: 'MSH [{SFT}] [UAC] PID [PD1] [{NK1}] [{ARV}] [PATIENT_VISIT: PV1 [PV2] [{ARV}]] [{GT1}] [{INSURANCE: IN1 [IN2] [IN3]}] [{PERSON_OBSERVATION: OBX [{PRT}] [{NTE}]}] [{ORDER: ORC [{PRT}] [{TIMING: TQ1 [{TQ2}]}] RXA [RXR] [{OBSERVATION: OBX [{PRT}] [{NTE}]}]}]',
};

/** Trigger events whose structure has another event's name (HL7 v2.5.1+ tables 0354). */
const EVENT_STRUCTURES: Readonly<Record<string, string>> = {
  ADT_A04: 'ADT_A01', ADT_A08: 'ADT_A01', ADT_A13: 'ADT_A01', ADT_A05: 'ADT_A01', ADT_A14: 'ADT_A01', ADT_A28: 'ADT_A01', ADT_A31: 'ADT_A01',
  ADT_A07: 'ADT_A06', ADT_A10: 'ADT_A09', ADT_A11: 'ADT_A09', ADT_A22: 'ADT_A21', ADT_A23: 'ADT_A21', ADT_A25: 'ADT_A21',
  ADT_A26: 'ADT_A21', ADT_A27: 'ADT_A21', ADT_A29: 'ADT_A21', ADT_A32: 'ADT_A21', ADT_A33: 'ADT_A21', ADT_A40: 'ADT_A39',
  ADT_A41: 'ADT_A39', ADT_A42: 'ADT_A39', ADT_A44: 'ADT_A43', ADT_A47: 'ADT_A30', ADT_A34: 'ADT_A30', ADT_A35: 'ADT_A30',
  ADT_A36: 'ADT_A30', ADT_A46: 'ADT_A30', ADT_A48: 'ADT_A30', ADT_A49: 'ADT_A30',
  ADT_A61: 'ADT_A60', ADT_A62: 'ADT_A60', BAR_P05: 'BAR_P01', BAR_P06: 'BAR_P02',
  MDM_T03: 'MDM_T01', MDM_T05: 'MDM_T01', MDM_T07: 'MDM_T01', MDM_T09: 'MDM_T01', MDM_T11: 'MDM_T01',
  MDM_T04: 'MDM_T02', MDM_T06: 'MDM_T02', MDM_T08: 'MDM_T02', MDM_T10: 'MDM_T02',
  RDE_O25: 'RDE_O11', PPR_PC2: 'PPR_PC1', PPR_PC3: 'PPR_PC1',
  REF_I13: 'REF_I12', REF_I14: 'REF_I12', REF_I15: 'REF_I12',
  ...Object.fromEntries(Array.from({ length: 15 }, (_, i) => [`SIU_S${13 + i}`, 'SIU_S12'])),
};

const parsed = new Map<string, GroupNode>();

/**
 * The structure for a message: MSH-9.3 when it names a known one, else the event's structure.
 * Undefined when unknown (the message then gets a flat tree).
 */
export function findStructure(messageCode: string, triggerEvent: string, declared: string | undefined): GroupNode | undefined {
  const candidates = [declared, `${messageCode}_${triggerEvent}`].filter((c): c is string => !!c);
  for (const candidate of candidates) {
    const name = GRAMMARS[candidate] ? candidate : EVENT_STRUCTURES[candidate];
    if (!name) continue;
    let structure = parsed.get(name);
    if (!structure) parsed.set(name, (structure = parseGrammar(name, GRAMMARS[name] as string)));
    return structure;
  }
  return undefined;
}

export function knownStructureNames(): string[] {
  return Object.keys(GRAMMARS);
}

export function structureGrammar(name: string): string | undefined {
  return GRAMMARS[name];
}
