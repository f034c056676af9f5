/** Which relative markdown links point into the core FHIR specification (made absolute in snapshots). */
const RESOURCE_NAMES = new Set(
  ('account activitydefinition adverseevent allergyintolerance appointment appointmentresponse auditevent basic binary ' +
    'biologicallyderivedproduct bodystructure bundle capabilitystatement careplan careteam catalogentry chargeitem ' +
    'chargeitemdefinition claim claimresponse clinicalimpression codesystem communication communicationrequest ' +
    'compartmentdefinition composition conceptmap condition consent contract coverage coverageeligibilityrequest ' +
    'coverageeligibilityresponse detectedissue device devicedefinition devicemetric devicerequest deviceusestatement ' +
    'diagnosticreport documentmanifest documentreference domainresource effectevidencesynthesis encounter endpoint ' +
    'enrollmentrequest enrollmentresponse episodeofcare eventdefinition evidence evidencevariable examplescenario ' +
    'explanationofbenefit familymemberhistory flag goal graphdefinition group guidanceresponse healthcareservice ' +
    'imagingstudy immunization immunizationevaluation immunizationrecommendation implementationguide insuranceplan ' +
    'invoice library linkage list location measure measurereport media medication medicationadministration ' +
    'medicationdispense medicationknowledge medicationrequest medicationstatement medicinalproduct ' +
    'medicinalproductauthorization medicinalproductcontraindication medicinalproductindication ' +
    'medicinalproductingredient medicinalproductinteraction medicinalproductmanufactured medicinalproductpackaged ' +
    'medicinalproductpharmaceutical medicinalproductundesirableeffect messagedefinition messageheader ' +
    'molecularsequence namingsystem nutritionorder observation observationdefinition operationdefinition ' +
    'operationoutcome organization organizationaffiliation parameters patient paymentnotice paymentreconciliation ' +
    'person plandefinition practitioner practitionerrole procedure provenance questionnaire questionnaireresponse ' +
    'relatedperson requestgroup researchdefinition researchelementdefinition researchstudy researchsubject resource ' +
    'riskassessment riskevidencesynthesis schedule searchparameter servicerequest slot specimen specimendefinition ' +
    'structuredefinition structuremap subscription substance substancenucleicacid substancepolymer substanceprotein ' +
    'substancereferenceinformation substancesourcematerial substancespecification supplydelivery supplyrequest task ' +
    'terminologycapabilities testreport testscript valueset verificationresult visionprescription').split(' '),
);

const SPEC_PAGES = [
  'extensibility.html', 'terminologies.html', 'observation.html', 'codesystem.html', 'fhirpath.html', 'datatypes.html',
  'operations.html', 'resource.html', 'elementdefinition.html', 'element-definitions.html', 'snomedct.html', 'loinc.html',
  'http.html', 'references', 'license.html', 'narrative.html', 'search.html', 'security.html', 'versions.html',
  'patient-operation-match.html', 'resource-definitions.html',
];

/** Pattern pages of the core specification that resource documentation links to. */
const PATTERN_PAGES = new Set(['event', 'request', 'definition', 'participant', 'fivews']);

export function isLikelySpecReference(url: string): boolean {
  // a resource page or one of its sub-pages (`servicerequest-example-di.html`, `observation-definitions.html`)
  const page = /^([a-z0-9]+)[.-][^/]*\.html/.exec(url) ?? /^([a-z0-9]+)\.html/.exec(url);
  if (page?.[1] !== undefined && (RESOURCE_NAMES.has(page[1]) || PATTERN_PAGES.has(page[1]))) return true;
  if (SPEC_PAGES.some((p) => url.startsWith(p))) return true;
  return url.startsWith('extension-') && url.includes('.html');
}
