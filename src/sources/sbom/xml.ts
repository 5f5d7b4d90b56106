/**
 * Just enough XML for CycloneDX documents: elements (namespace prefixes dropped), their
 * attributes, text (entities and CDATA decoded) and the line each element starts on. Tags
 * must nest and close, so a truncated or mangled file is an error with its line.
 */
import { inputError } from '../../core/errors.js';

export interface XmlElement {
  /** The local name, without a namespace prefix. */
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: XmlElement[];
  /** The element's own text, decoded, untrimmed. */
  text: string;
  /** 1-based line of the start tag. */
  readonly line: number;
}

function unescape(s: string): string {
  return s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#x([0-9a-f]+);/gi, (_m, n: string) => String.fromCodePoint(parseInt(n, 16)))
    .replace(/&#(\d+);/g, (_m, n: string) => String.fromCodePoint(Number(n)))
    .replace(/&amp;/g, '&');
}

const localName = (qualified: string): string => qualified.slice(qualified.indexOf(':') + 1);

/** Deeper nesting is refused: a CycloneDX document nests a few dozen elements at most. */
export const MAX_XML_DEPTH = 1000;

/** The document's root element, or `null` when there is none. */
export function parseXml(text: string, file: string): XmlElement | null {
  const stack: XmlElement[] = [];
  let root: XmlElement | null = null;
  // Lines are counted forward once, not from the start of the file for every tag.
  let counted = 0;
  let line = 1;
  const lineAt = (index: number): number => {
    for (let i = text.indexOf('\n', counted); i !== -1 && i < index; i = text.indexOf('\n', i + 1))
      line++;
    counted = Math.max(counted, index);
    return line;
  };
  const re =
    /<!--[\s\S]*?-->|<!\[CDATA\[([\s\S]*?)\]\]>|<\?[\s\S]*?\?>|<!DOCTYPE[^>]*>|<(\/?)([A-Za-z_][\w:.-]*)((?:\s+[^>]*?)?)(\/?)>/g;
  let last = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const open = stack[stack.length - 1];
    if (open) open.text += unescape(text.slice(last, m.index));
    last = re.lastIndex;
    if (m[1] !== undefined) {
      if (open) open.text += m[1];
      continue;
    }
    if (m[3] === undefined) continue; // a comment, processing instruction or DOCTYPE
    const at = lineAt(m.index);
    if (m[2]) {
      const closed = stack.pop();
      if (!closed || closed.name !== localName(m[3]))
        throw inputError(
          `malformed XML: </${m[3]}> closes ${closed ? `<${closed.name}> (line ${closed.line})` : 'nothing'}`,
          file,
          at,
        );
      continue;
    }
    const attributes: Record<string, string> = {};
    for (const a of (m[4] as string).matchAll(/([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g))
      attributes[localName(a[1] as string)] = unescape(a[2] ?? a[3] ?? '');
    const element: XmlElement = {
      name: localName(m[3]),
      attributes,
      children: [],
      text: '',
      line: at,
    };
    if (open) open.children.push(element);
    else if (root === null) root = element;
    else throw inputError(`malformed XML: a second root element <${m[3]}>`, file, at);
    if (!m[5]) stack.push(element);
    if (stack.length > MAX_XML_DEPTH)
      throw inputError(`XML elements nested more than ${MAX_XML_DEPTH} deep`, file, at);
  }
  const unclosed = stack.pop();
  if (unclosed)
    throw inputError(
      `malformed XML: <${unclosed.name}> is never closed (the file may be truncated)`,
      file,
      unclosed.line,
    );
  return root;
}

/** The child elements with this local name. */
export function childrenNamed(element: XmlElement, name: string): XmlElement[] {
  return element.children.filter((c) => c.name === name);
}
