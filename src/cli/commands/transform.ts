import { parseCommandArgs, requireString, stringList } from '../args.ts';
import type { Command } from '../command.ts';
import { readJsonFile } from '../files.ts';
import { printJson } from '../io.ts';
import type { CliIo } from '../io.ts';
import { buildMappingContext } from '../../runtime/index.ts';
import { StructureMapEngine, sortByDefinition } from '../../mapping/index.ts';

const USAGE = `fhir-migrate transform --map FILE.map|FILE.json --source INPUT.json [--model DIR]… [--conceptmaps DIR]…

Runs a StructureMap (FHIR Mapping Language text, or StructureMap JSON) on one JSON input and
prints the produced resource as JSON. On failure prints an OperationOutcome and exits 1.

  --map FILE          the map; maps beside it resolve its imports (by url)
  --source FILE       the input: a FHIR resource, a logical-model instance or a plain JSON record
  --model DIR         StructureDefinitions of logical models (JSON files or Bundles), repeatable
  --conceptmaps DIR   ConceptMaps for translate() (JSON files or Bundles), repeatable`;

export const transformCommand: Command = {
  name: 'transform',
  summary: 'Run a StructureMap / FML map on a JSON input and print the result.',
  usage: USAGE,
  async run(args: string[], io: CliIo): Promise<number> {
    const { values } = parseCommandArgs('transform', args, {
      map: { type: 'string' },
      source: { type: 'string' },
      model: { type: 'string', multiple: true },
      conceptmaps: { type: 'string', multiple: true },
    });
    const mapPath = requireString('transform', values, 'map');
    const sourcePath = requireString('transform', values, 'source');
    const context = buildMappingContext({
      mapPath,
      modelDirs: stringList(values, 'model'),
      conceptMapDirs: stringList(values, 'conceptmaps'),
      cwd: io.cwd,
    });
    const source = readJsonFile(sourcePath, io.cwd);
    const result = new StructureMapEngine(context.options).transform(context.map, source);
    printJson(io, sortByDefinition(result, undefined, context.typeModel));
    return 0;
  },
};
