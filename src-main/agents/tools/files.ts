// The file tools: read, write and edit, confined to the agent's workspace through workspace-fs
// (real paths, no symlinks, no `..` escapes) and size-capped so one call cannot flood the context.
// For senders who are not owners the private files (MEMORY.md, memory/, persona files) are refused.
import { privateFileRefusal, privateTarget } from '../private-files.ts';
import { inspectWorkspacePath, listWorkspaceDir, readWorkspaceFile, writeWorkspaceFile } from '../workspace-fs.ts';
import { capText, optInt, reqString, ToolInputError, type ToolContext, type ToolDef, type ToolOutcome } from './types.ts';

/** Largest file read whole (edit needs the whole file; read pages by lines within it). */
export const MAX_FILE_BYTES = 1024 * 1024;
export const READ_OUTPUT_MAX = 64 * 1024;
const DEFAULT_LINES = 2000;
const MAX_DIR_ENTRIES = 500;

/** The refusal for a private file when the sender is not an owner; null when the call may go on. */
async function privateRefusal(tool: string, p: string, ctx: ToolContext): Promise<ToolOutcome | null> {
  if (ctx.inbound.isOwner) return null;
  const target = await privateTarget(ctx.paths.workspace, p, { forWrite: tool !== 'read' });
  return target === null
    ? null
    : { output: privateFileRefusal(tool, target), isError: true, summary: `${tool} ${target}: refused (private)` };
}

function looksBinary(buf: Buffer): boolean {
  return buf.subarray(0, 8192).includes(0);
}

export const readTool: ToolDef = {
  name: 'read',
  description:
    'Read a text file from your workspace (paths are relative to it). Returns numbered lines; use offset (1-based line) and limit (lines) for long files. Reading a folder lists its entries.',
  inputSchema: {
    type: 'object',
    properties: {
      path: { type: 'string', description: 'File or folder path, relative to the workspace.' },
      offset: { type: 'integer', minimum: 1, description: 'First line to return (1-based).' },
      limit: { type: 'integer', minimum: 1, description: `Number of lines to return (default ${DEFAULT_LINES}).` },
    },
    required: ['path'],
    additionalProperties: false,
  },
  async run(input, ctx) {
    const p = reqString(input, 'path');
    const refused = await privateRefusal('read', p, ctx);
    if (refused) return refused;
    const offset = optInt(input, 'offset', 1, Number.MAX_SAFE_INTEGER) ?? 1;
    const limit = optInt(input, 'limit', 1, 100_000) ?? DEFAULT_LINES;
    // A folder is listed rather than refused: there is no separate ls tool.
    if ((await inspectWorkspacePath(ctx.paths.workspace, p)).stats?.isDirectory()) {
      const dir = await listWorkspaceDir(ctx.paths.workspace, p, MAX_DIR_ENTRIES);
      const more = dir.total > dir.entries.length ? `\n[… ${dir.total - dir.entries.length} more entries]` : '';
      return {
        output: `${dir.rel || '.'}/ (${dir.total} entries)\n${dir.entries.join('\n')}${more}`,
        summary: `listed ${dir.rel || '.'} (${dir.total} entries)`,
      };
    }
    const file = await readWorkspaceFile(ctx.paths.workspace, p, MAX_FILE_BYTES);
    if (looksBinary(file.bytes))
      return { output: `${file.rel} is a binary file (${file.stats.size} bytes); not shown.`, summary: `${file.rel}: binary` };
    const lines = file.bytes.toString('utf8').split('\n');
    if (file.truncated) lines.pop(); // the last line may be cut mid-way
    if (offset > lines.length) throw new ToolInputError(`offset ${offset} is past the end of ${file.rel} (${lines.length} lines)`);
    const slice = lines.slice(offset - 1, offset - 1 + limit);
    const width = String(offset + slice.length - 1).length;
    const body = slice.map((l, i) => `${String(offset + i).padStart(width)}\t${l}`).join('\n');
    const notes: string[] = [];
    if (offset - 1 + slice.length < lines.length)
      notes.push(`[lines ${offset}-${offset + slice.length - 1} of ${lines.length}; use offset to read more]`);
    if (file.truncated) notes.push(`[file is ${file.stats.size} bytes; only the first ${MAX_FILE_BYTES} bytes can be read]`);
    const output = capText([body, ...notes].join('\n'), READ_OUTPUT_MAX);
    return { output, summary: `read ${file.rel} (${slice.length} lines)` };
  },
};

export const writeTool: ToolDef = {
  name: 'write',
  description: 'Create or replace a text file in your workspace (paths are relative to it; missing folders are created).',
  inputSchema: {
    type: 'object',
    properties: {
      path: { type: 'string', description: 'File path, relative to the workspace.' },
      content: { type: 'string', description: 'The complete new content of the file.' },
    },
    required: ['path', 'content'],
    additionalProperties: false,
  },
  async run(input, ctx) {
    const p = reqString(input, 'path');
    const refused = await privateRefusal('write', p, ctx);
    if (refused) return refused;
    const content = reqString(input, 'content', { allowEmpty: true });
    if (Buffer.byteLength(content) > MAX_FILE_BYTES) throw new ToolInputError(`content is larger than ${MAX_FILE_BYTES} bytes`);
    const res = await writeWorkspaceFile(ctx.paths.workspace, p, content);
    return { output: `${res.created ? 'created' : 'replaced'} ${res.rel} (${res.bytes} bytes)`, summary: `wrote ${res.rel}` };
  },
};

export const editTool: ToolDef = {
  name: 'edit',
  description:
    'Replace one exact piece of text in a workspace file. "old" must occur exactly once in the file; include surrounding lines to make it unique.',
  inputSchema: {
    type: 'object',
    properties: {
      path: { type: 'string', description: 'File path, relative to the workspace.' },
      old: { type: 'string', description: 'The exact text to replace (must occur exactly once).' },
      new: { type: 'string', description: 'The replacement text.' },
    },
    required: ['path', 'old', 'new'],
    additionalProperties: false,
  },
  async run(input, ctx) {
    const p = reqString(input, 'path');
    const refused = await privateRefusal('edit', p, ctx);
    if (refused) return refused;
    const oldText = reqString(input, 'old');
    const newText = reqString(input, 'new', { allowEmpty: true });
    const file = await readWorkspaceFile(ctx.paths.workspace, p, MAX_FILE_BYTES);
    if (file.truncated) throw new ToolInputError(`${file.rel} is larger than ${MAX_FILE_BYTES} bytes; it cannot be edited`);
    if (looksBinary(file.bytes)) throw new ToolInputError(`${file.rel} is a binary file`);
    const text = file.bytes.toString('utf8');
    const first = text.indexOf(oldText);
    if (first < 0) throw new ToolInputError(`"old" was not found in ${file.rel}; nothing changed`);
    if (text.indexOf(oldText, first + 1) >= 0)
      throw new ToolInputError(`"old" occurs more than once in ${file.rel}; add surrounding text to make it unique; nothing changed`);
    // Plain slicing, not String.replace: `$&`-style patterns in the new text stay literal.
    const next = text.slice(0, first) + newText + text.slice(first + oldText.length);
    if (Buffer.byteLength(next) > MAX_FILE_BYTES) throw new ToolInputError(`the edited file would be larger than ${MAX_FILE_BYTES} bytes`);
    const res = await writeWorkspaceFile(ctx.paths.workspace, p, next);
    const line = text.slice(0, first).split('\n').length;
    return { output: `edited ${res.rel} at line ${line}`, summary: `edited ${res.rel}` };
  },
};

export const FILE_TOOLS: readonly ToolDef[] = [readTool, writeTool, editTool];
