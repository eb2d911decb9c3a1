// The map-or-quarantine boundary every adapter puts around its mapper: whatever a platform sends,
// the result is a checked InboundEnvelope, a deliberate "ignored", or "unreadable" (quarantined
// and skipped by the adapter) — never an exception that could stop the updates behind it.
import { z } from 'zod';
import type { InboundEnvelope } from '../gateway/envelope.ts';

export type MapOutcome = { envelope: InboundEnvelope } | { ignored: string } | { unreadable: string };

const peer = z.object({ kind: z.enum(['direct', 'group', 'channel']), id: z.string().min(1) });
const finite = z.number().refine(Number.isFinite, 'not a finite number');

/** What the gateway relies on; anything else a mapper produced means the input was not what it read. */
const envelopeShape = z.object({
  messageId: z.string().min(1),
  channel: z.enum(['telegram', 'discord', 'slack', 'whatsapp', 'webchat']),
  accountId: z.string().min(1),
  peer,
  parentPeer: peer.optional(),
  guildId: z.string().optional(),
  memberRoleIds: z.array(z.string()).optional(),
  teamId: z.string().min(1).optional(),
  sender: z.object({
    id: z.string().min(1),
    name: z.string().optional(),
    username: z.string().optional(),
    isBot: z.boolean().optional(),
    isSelf: z.boolean().optional(),
    verified: z.boolean(),
  }),
  text: z.string(),
  mentioned: z.boolean(),
  media: z
    .array(
      z.object({
        kind: z.enum(['image', 'voice', 'audio', 'video', 'file', 'sticker']),
        mimeType: z.string().optional(),
        duration: finite.optional(),
        fileName: z.string().optional(),
      }),
    )
    .optional(),
  kind: z.enum(['message', 'edit', 'reaction']).optional(),
  timestamp: finite,
});

/** `path: message` of the first problem, as a user reading the quarantine file needs it. */
export function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid';
  const where = issue.path.map(String).join('.');
  return where ? `${where}: ${issue.message}` : issue.message;
}

/** Why an envelope is unusable, or undefined when it is sound. */
export function envelopeProblem(envelope: unknown): string | undefined {
  const checked = envelopeShape.safeParse(envelope);
  return checked.success ? undefined : `the mapped envelope is invalid (${firstIssue(checked.error)})`;
}

/** Runs a mapper at the boundary: a throw or an invalid envelope becomes `unreadable`. */
export function mapSafely<T extends MapOutcome>(map: () => T): T | { unreadable: string } {
  let outcome: T;
  try {
    outcome = map();
  } catch (err) {
    return { unreadable: `the mapper failed: ${err instanceof Error ? err.message : String(err)}` };
  }
  if ('envelope' in outcome) {
    const problem = envelopeProblem(outcome.envelope);
    if (problem) return { unreadable: problem };
  }
  return outcome;
}
