// Memory tools: memory_save {text, tags?} and memory_search {query, limit?} over the agent's pool
// (its own by default, or the shared pool its config names). Agent-scope memory is private: the
// tools are neither offered nor run in turns from senders who are not the agent's owners.
import {
  defaultMemoryPools,
  describePool,
  memoryRefusal,
  MemoryInputError,
  PoolNameError,
  resolvePool,
  stateDirOf,
  type MemoryPools,
  type PoolRef,
} from '../memory/index.ts';
import { capText, optInt, reqString, ToolInputError, type ToolContext, type ToolDef } from './types.ts';

const SEARCH_OUTPUT_MAX = 32 * 1024;

function poolOf(ctx: ToolContext): PoolRef {
  return resolvePool('memory', ctx.agent, stateDirOf(ctx.paths));
}

function refusal(ctx: ToolContext): string | null {
  try {
    poolOf(ctx);
  } catch (err) {
    if (err instanceof PoolNameError) return `memory is unavailable: ${err.message}`;
    throw err;
  }
  return memoryRefusal(ctx.agent, ctx.inbound);
}

function optTags(input: Record<string, unknown>): string[] {
  const v = input.tags;
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((t) => typeof t !== 'string')) throw new ToolInputError('"tags" must be an array of strings');
  return v as string[];
}

/** Runs a memory call, turning input problems into tool input errors. */
async function guarded<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof MemoryInputError || err instanceof PoolNameError) throw new ToolInputError(err.message);
    throw err;
  }
}

export function memoryTools(pools: MemoryPools = defaultMemoryPools): ToolDef[] {
  const save: ToolDef = {
    name: 'memory_save',
    description: 'Save a note to your long-term memory (kept across sessions); add a few tags to find it again.',
    inputSchema: {
      type: 'object',
      properties: {
        text: { type: 'string', description: 'The note: one fact, preference or decision, self-contained.' },
        tags: { type: 'array', items: { type: 'string' }, description: 'Optional short tags, e.g. ["family", "birthday"].' },
      },
      required: ['text'],
      additionalProperties: false,
    },
    unavailableReason: refusal,
    async run(input, ctx) {
      const why = refusal(ctx);
      if (why) return { output: `memory_save refused: ${why}`, isError: true };
      const text = reqString(input, 'text');
      const tags = optTags(input);
      const ref = poolOf(ctx);
      const note = await guarded(() => pools.get(ref).save({ text, tags, author: ctx.agent.id }));
      return {
        output: `saved note ${note.id} to ${describePool(ref)}${note.tags.length ? ` (tags: ${note.tags.join(', ')})` : ''}`,
        summary: `saved ${note.id}`,
      };
    },
  };

  const search: ToolDef = {
    name: 'memory_search',
    description: 'Search your long-term memory by keywords; returns the best-matching notes first.',
    inputSchema: {
      type: 'object',
      properties: {
        query: { type: 'string', description: 'Keywords to look for.' },
        limit: { type: 'integer', minimum: 1, maximum: 50, description: 'How many notes (default 10).' },
      },
      required: ['query'],
      additionalProperties: false,
    },
    unavailableReason: refusal,
    async run(input, ctx) {
      const why = refusal(ctx);
      if (why) return { output: `memory_search refused: ${why}`, isError: true };
      const query = reqString(input, 'query').trim();
      if (!query) throw new ToolInputError('"query" must not be empty');
      const limit = optInt(input, 'limit', 1, 50) ?? 10;
      const ref = poolOf(ctx);
      const hits = await guarded(() => pools.get(ref).search(query, limit));
      if (!hits.length) return { output: `no notes in ${describePool(ref)} match "${query}"`, summary: '0 notes' };
      const lines = hits.map(({ note }) => {
        const meta = [
          note.createdAt.slice(0, 10),
          ref.scope === 'shared' ? `by ${note.author}` : '',
          note.tags.length ? `tags: ${note.tags.join(', ')}` : '',
        ]
          .filter(Boolean)
          .join('; ');
        return `[${note.id}] (${meta}) ${note.text}`;
      });
      return { output: capText(lines.join('\n'), SEARCH_OUTPUT_MAX), summary: `${hits.length} notes` };
    },
  };
  return [save, search];
}

export const MEMORY_TOOLS: readonly ToolDef[] = memoryTools();
