/**
 * HL7 v2 message structures in the standard's abstract-syntax notation, e.g.
 * `MSH [{SFT}] {PATIENT_RESULT: [PATIENT: PID [PD1]] {ORDER_OBSERVATION: [ORC] OBR [{OBSERVATION: OBX [{NTE}]}]}}`:
 * `[ ]` optional, `{ }` repeating, `NAME:` names the group a bracket opens.
 */
export type GrammarNode = SegmentNode | GroupNode;

export interface SegmentNode {
  readonly type: 'segment';
  readonly id: string;
  readonly optional: boolean;
  readonly repeating: boolean;
}

export interface GroupNode {
  readonly type: 'group';
  readonly name: string;
  readonly optional: boolean;
  readonly repeating: boolean;
  readonly children: readonly GrammarNode[];
  /** Segment ids that can open this group. */
  readonly first: ReadonlySet<string>;
}

const TOKEN = /\s*([[\]{}]|[A-Z][A-Z0-9_]*:|[A-Z][A-Z0-9]{2}\b)/y;

export function parseGrammar(name: string, text: string): GroupNode {
  const tokens = tokenize(text);
  let position = 0;
  const parseSequence = (closers: string): GrammarNode[] => {
    const nodes: GrammarNode[] = [];
    while (position < tokens.length && !closers.includes(tokens[position] as string)) nodes.push(parseItem());
    return nodes;
  };
  const parseItem = (): GrammarNode => {
    const token = tokens[position++] as string;
    if (token !== '[' && token !== '{') return { type: 'segment', id: token, optional: false, repeating: false };
    return parseBracket(token);
  };
  const parseBracket = (open: string): GrammarNode => {
    let optional = open === '[';
    let repeating = open === '{';
    const closers: string[] = [open === '[' ? ']' : '}'];
    // `[{`, `{[` … the nested opener merges into one optional-repeating item.
    while (tokens[position] === '[' || tokens[position] === '{') {
      const next = tokens[position++] as string;
      optional ||= next === '[';
      repeating ||= next === '{';
      closers.unshift(next === '[' ? ']' : '}');
    }
    const label = tokens[position]?.endsWith(':') ? (tokens[position++] as string).slice(0, -1) : undefined;
    const children = parseSequence(']}');
    for (const closer of closers) {
      if (tokens[position] !== closer) throw new Error(`grammar ${name}: expected "${closer}" at token ${position}`);
      position++;
    }
    const only = children[0];
    if (!label && children.length === 1 && only?.type === 'segment') return { ...only, optional, repeating };
    return makeGroup(label ?? `GROUP_${position}`, optional, repeating, children);
  };
  const children = parseSequence('');
  return makeGroup(name, false, false, children);
}

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  let match: RegExpExecArray | null;
  let end = 0;
  while ((match = TOKEN.exec(text)) !== null) {
    tokens.push(match[1] as string);
    end = TOKEN.lastIndex;
  }
  if (text.slice(end).trim() !== '') throw new Error(`grammar: unexpected text at "${text.slice(end, end + 20)}"`);
  return tokens;
}

function makeGroup(name: string, optional: boolean, repeating: boolean, children: GrammarNode[]): GroupNode {
  return { type: 'group', name, optional, repeating, children, first: firstSet(children) };
}

function firstSet(children: readonly GrammarNode[]): Set<string> {
  const first = new Set<string>();
  for (const child of children) {
    if (child.type === 'segment') first.add(child.id);
    else for (const id of child.first) first.add(id);
    if (!child.optional) break;
  }
  return first;
}

/** Every segment id a structure mentions. */
export function segmentIds(group: GroupNode, into = new Set<string>()): Set<string> {
  for (const child of group.children) {
    if (child.type === 'segment') into.add(child.id);
    else segmentIds(child, into);
  }
  return into;
}
