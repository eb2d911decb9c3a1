// Which keys the wizard can offer to copy from other agents, read from `auth.list`: each other
// agent's own profiles (shared-pool ones are reached by opting in instead) with their labels and
// whether the keychain holds their key. The keys themselves never come here; auth.copy moves them.
import type { Result } from '../../../gateway/client.ts';

export type AuthList = Result<'auth.list'>;

export interface CopyableProfile {
  profileId: string;
  label: string | undefined;
  keyStored: boolean;
}
export interface CopySource {
  agentId: string;
  profiles: CopyableProfile[];
}

/** Agents other than `targetId` with at least one key of their own in the keychain. */
export function copySources(list: AuthList | undefined, targetId: string): CopySource[] {
  return (list?.agents ?? [])
    .filter((a) => a.agentId !== targetId)
    .map((a) => ({
      agentId: a.agentId,
      profiles: a.profiles
        .filter((p) => p.scope === 'agent')
        .map((p) => ({ profileId: p.profileId, label: p.label, keyStored: p.keyStored === true })),
    }))
    .filter((s) => s.profiles.some((p) => p.keyStored));
}

/** The profiles of a source that can be copied now: every one whose key is stored. */
export function copyableIds(source: CopySource | undefined): string[] {
  return source?.profiles.filter((p) => p.keyStored).map((p) => p.profileId) ?? [];
}

/** "Work key, default" — how a copy is named to the user: labels where there are, else ids. */
export function profileNames(source: CopySource | undefined, ids: readonly string[]): string {
  return ids.map((id) => source?.profiles.find((p) => p.profileId === id)?.label ?? id).join(', ');
}
