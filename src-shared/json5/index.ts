// Dependency-free JSON5 for Switchboard's config: a parser that knows where every value came
// from (for line:column errors), a readable writer for new files, and a comment-preserving editor.

export { Json5SyntaxError, formatPath } from './position.ts';
export type { JsonPath, SourcePos } from './position.ts';
export { parseJson5 } from './document.ts';
export type { Json5Document, LocatedPos } from './document.ts';
export { stringifyJson5 } from './stringify.ts';
export { editJson5 } from './edit.ts';
