// Where an agent's Anthropic API key comes from until the keychain-backed auth profiles land:
// the ANTHROPIC_API_KEY environment variable (DESIGN §9: the fall-back when no profile exists).
import type { ApiKeySource } from '../agents/turn-types.ts';

export class EnvApiKeySource implements ApiKeySource {
  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {}

  async apiKeyFor(): Promise<{ ok: true; apiKey: string } | { ok: false; reason: string }> {
    const key = this.env.ANTHROPIC_API_KEY?.trim();
    return key ? { ok: true, apiKey: key } : { ok: false, reason: 'no API key: set ANTHROPIC_API_KEY' };
  }
}
