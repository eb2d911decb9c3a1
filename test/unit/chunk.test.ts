import { describe, expect, it } from 'vitest';
import { Backoff } from '../../src-main/channels/backoff.ts';
import { chunkText } from '../../src-main/channels/chunk.ts';

describe('chunkText', () => {
  it('keeps a short reply whole', () => {
    expect(chunkText('hello there', 2000)).toEqual(['hello there']);
  });
  it('splits at paragraph breaks when one fits', () => {
    const a = 'a'.repeat(1200);
    const b = 'b'.repeat(1200);
    expect(chunkText(`${a}\n\n${b}`, 2000)).toEqual([a, b]);
  });
  it('prefers a sentence end over a hard cut', () => {
    const text = `${'word '.repeat(300)}End of sentence. ${'more '.repeat(200)}`;
    const chunks = chunkText(text, 2000);
    expect(chunks[0]!.endsWith('End of sentence.')).toBe(true);
    expect(chunks.every((c) => c.length <= 2000)).toBe(true);
  });
  it('every piece is within the limit and, in order, they hold the whole text', () => {
    const text = Array.from({ length: 400 }, (_, i) => `Sentence number ${i} is here.${i % 17 === 0 ? '\n\n' : ' '}`).join('');
    const chunks = chunkText(text, 500);
    expect(chunks.every((c) => c.length <= 500 && c.length > 0)).toBe(true);
    expect(chunks.join(' ').replace(/\s+/g, ' ')).toBe(text.trim().replace(/\s+/g, ' '));
  });
  it('never splits a surrogate pair when it must cut hard', () => {
    const text = '😀'.repeat(3000);
    for (const c of chunkText(text, 4095)) expect(c).not.toMatch(/^[\uDC00-\uDFFF]|[\uD800-\uDBFF]$/);
  });
});

describe('Backoff', () => {
  it('grows exponentially with jitter up to the cap, and reset starts over', () => {
    const b = new Backoff({ baseMs: 100, maxMs: 1000, random: () => 1 });
    expect([b.next(), b.next(), b.next(), b.next(), b.next()]).toEqual([100, 200, 400, 800, 1000]);
    b.reset();
    expect(b.next()).toBe(100);
  });
  it('jitter keeps every delay between half the ceiling and the ceiling', () => {
    const b = new Backoff({ baseMs: 1000, maxMs: 8000, random: () => 0 });
    expect([b.next(), b.next(), b.next()]).toEqual([500, 1000, 2000]);
  });
});
