// Markdown-ish text of chat messages: paragraphs, fenced code blocks, lists, quotes, headings,
// inline code, bold and links. Built from React elements only — message text is never parsed as
// HTML, so whatever a sender or a model writes is shown, not executed.
import { memo, type ReactNode } from 'react';

type Block =
  | { kind: 'code'; lang: string; text: string }
  | { kind: 'para'; lines: string[] }
  | { kind: 'heading'; text: string }
  | { kind: 'quote'; lines: string[] }
  | { kind: 'list'; ordered: boolean; start: number; items: string[] };

const FENCE = /^\s*(```|~~~)\s*([\w+.-]*)\s*$/;
const BULLET = /^\s*[-*•]\s+(.*)$/;
const NUMBERED = /^\s*(\d{1,9})[.)]\s+(.*)$/;
const HEADING = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/;
const QUOTE = /^\s*>\s?(.*)$/;

export function parseBlocks(text: string): Block[] {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const blocks: Block[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    const fence = FENCE.exec(line);
    if (fence) {
      const body: string[] = [];
      i++;
      // An unclosed fence (a reply still streaming) runs to the end.
      while (i < lines.length && !new RegExp(`^\\s*${fence[1]}\\s*$`).test(lines[i]!)) body.push(lines[i++]!);
      i++;
      blocks.push({ kind: 'code', lang: fence[2] ?? '', text: body.join('\n') });
      continue;
    }
    if (line.trim() === '') {
      i++;
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      blocks.push({ kind: 'heading', text: heading[1]! });
      i++;
      continue;
    }
    if (QUOTE.test(line)) {
      const quoted: string[] = [];
      while (i < lines.length && QUOTE.test(lines[i]!)) quoted.push(QUOTE.exec(lines[i++]!)![1]!);
      blocks.push({ kind: 'quote', lines: quoted });
      continue;
    }
    const bullet = BULLET.exec(line);
    const numbered = NUMBERED.exec(line);
    if (bullet || numbered) {
      const ordered = !bullet;
      const re = ordered ? NUMBERED : BULLET;
      const items: string[] = [];
      while (i < lines.length) {
        const m = re.exec(lines[i]!);
        if (m) items.push(ordered ? m[2]! : m[1]!);
        else if (lines[i]!.trim() !== '' && /^\s{2,}/.test(lines[i]!) && items.length > 0)
          items[items.length - 1] += `\n${lines[i]!.trim()}`;
        else break;
        i++;
      }
      blocks.push({ kind: 'list', ordered, start: ordered ? Number(numbered![1]) : 1, items });
      continue;
    }
    const para: string[] = [];
    while (
      i < lines.length &&
      lines[i]!.trim() !== '' &&
      !FENCE.test(lines[i]!) &&
      !(para.length > 0 && (BULLET.test(lines[i]!) || HEADING.test(lines[i]!)))
    )
      para.push(lines[i++]!);
    blocks.push({ kind: 'para', lines: para });
  }
  return blocks;
}

// `code`, **bold**, [label](https://…), bare https:// links.
const INLINE = /(`+)([^`]+?)\1|\*\*([^*\n]+?)\*\*|\[([^\]\n]+)\]\((https?:\/\/[^\s)]+)\)|(https?:\/\/[^\s<>()]+[^\s<>().,;:!?'"\]])/g;

export function inline(text: string, keyPrefix = ''): ReactNode[] {
  const out: ReactNode[] = [];
  let last = 0;
  let n = 0;
  for (const m of text.matchAll(INLINE)) {
    const at = m.index;
    if (at > last) out.push(text.slice(last, at));
    const key = `${keyPrefix}${n++}`;
    if (m[2] !== undefined)
      out.push(
        <code key={key} className="md-code">
          {m[2]}
        </code>,
      );
    else if (m[3] !== undefined) out.push(<strong key={key}>{m[3]}</strong>);
    else if (m[4] !== undefined)
      out.push(
        <a key={key} href={m[5]} target="_blank" rel="noreferrer noopener">
          {m[4]}
        </a>,
      );
    else if (m[6] !== undefined)
      out.push(
        <a key={key} href={m[6]} target="_blank" rel="noreferrer noopener">
          {m[6]}
        </a>,
      );
    last = at + m[0].length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

function lines(ls: string[], prefix: string): ReactNode[] {
  return ls.flatMap((l, i) => (i === 0 ? inline(l, `${prefix}${i}-`) : [<br key={`${prefix}br${i}`} />, ...inline(l, `${prefix}${i}-`)]));
}

export const RichText = memo(function RichText({ text }: { text: string }) {
  const blocks = parseBlocks(text);
  return (
    <div className="md">
      {blocks.map((b, i) => {
        switch (b.kind) {
          case 'code':
            return (
              <pre key={i} className="md-pre" data-lang={b.lang || undefined}>
                {b.lang && (
                  <span className="md-lang" aria-hidden="true">
                    {b.lang}
                  </span>
                )}
                <code>{b.text}</code>
              </pre>
            );
          case 'heading':
            return (
              <p key={i} className="md-heading">
                <strong>{inline(b.text)}</strong>
              </p>
            );
          case 'quote':
            return (
              <blockquote key={i} className="md-quote">
                {lines(b.lines, `q${i}`)}
              </blockquote>
            );
          case 'list': {
            const children = b.items.map((item, j) => <li key={j}>{lines(item.split('\n'), `l${i}-${j}`)}</li>);
            return b.ordered ? (
              <ol key={i} start={b.start}>
                {children}
              </ol>
            ) : (
              <ul key={i}>{children}</ul>
            );
          }
          default:
            return <p key={i}>{lines(b.lines, `p${i}`)}</p>;
        }
      })}
    </div>
  );
});
