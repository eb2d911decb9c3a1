// Baileys message shapes (as messages.upsert delivers them) → InboundEnvelope: the ids users
// write in bindings and allowlists, self/echo detection, mentions, media placeholders, edits.
import { describe, expect, it } from 'vitest';
import type { WAMessage } from '@whiskeysockets/baileys';
import { jidToE164, lidsToResolve, peerToJid, toEnvelope, type MappingContext } from '../../src-main/channels/whatsapp/mapping.ts';
import type { InboundEnvelope } from '../../src-main/gateway/envelope.ts';
import { dmFromLid, dmFromPn, groupMessage, mentionText, text, waMessage } from '../fixtures/whatsapp/messages.ts';

const SELF = { pn: '15550000001:7@s.whatsapp.net', lid: '900000000001:7@lid' };
const ctx = (extra: Partial<MappingContext> = {}): MappingContext => ({ accountId: 'personal', self: SELF, pnForLid: new Map(), ...extra });

function envelopeOf(msg: WAMessage, c = ctx()): InboundEnvelope {
  const result = toEnvelope(msg, c);
  if ('skip' in result) throw new Error(`skipped: ${result.skip}`);
  return result.envelope;
}

describe('WhatsApp identities', () => {
  it('a DM by phone-number JID has the E.164 number as peer and sender', () => {
    const env = envelopeOf(dmFromPn('15551234567', text('hi'), { pushName: 'Ada' }));
    expect(env).toMatchObject({
      channel: 'whatsapp',
      accountId: 'personal',
      peer: { kind: 'direct', id: '+15551234567' },
      sender: { id: '+15551234567', name: 'Ada', verified: true },
      text: 'hi',
      kind: 'message',
    });
    expect(env.sender.isSelf).toBeUndefined();
  });

  it('the same person arriving by LID gets the same identity, via remoteJidAlt or the LID mapping', () => {
    const byPn = envelopeOf(dmFromPn('15551234567', text('a')));
    const byLidAlt = envelopeOf(dmFromLid('123456789012345', text('b'), { pn: '15551234567' }));
    const byLidMapping = envelopeOf(
      dmFromLid('123456789012345', text('c')),
      ctx({ pnForLid: new Map([['123456789012345@lid', '15551234567@s.whatsapp.net']]) }),
    );
    expect([byLidAlt.peer, byLidMapping.peer]).toEqual([byPn.peer, byPn.peer]);
    expect([byLidAlt.sender.id, byLidMapping.sender.id]).toEqual(['+15551234567', '+15551234567']);
  });

  it('an unknown LID falls back to the LID JID (stable) and says so', () => {
    const msg = dmFromLid('123456789012345', text('who am i'));
    expect(lidsToResolve(msg)).toEqual(['123456789012345@lid']);
    const result = toEnvelope(msg, ctx());
    expect(result).toMatchObject({
      unresolvedLid: '123456789012345@lid',
      envelope: { peer: { kind: 'direct', id: '123456789012345@lid' } },
    });
  });

  it('a group message has the group JID as peer and the participant (E.164) as sender', () => {
    const env = envelopeOf(
      groupMessage('120363041234567890@g.us', '123456789012345@lid', text('hello group'), { participantAlt: '15557654321@s.whatsapp.net' }),
    );
    expect(env.peer).toEqual({ kind: 'group', id: '120363041234567890@g.us' });
    expect(env.sender.id).toBe('+15557654321');
  });

  it('phone JIDs convert to E.164 and back without device parts', () => {
    expect(jidToE164('15551234567:12@s.whatsapp.net')).toBe('+15551234567');
    expect(jidToE164('120363041234567890@g.us')).toBeUndefined();
    expect(peerToJid({ kind: 'direct', id: '+15551234567' })).toBe('15551234567@s.whatsapp.net');
    expect(peerToJid({ kind: 'group', id: '120363041234567890@g.us' })).toBe('120363041234567890@g.us');
  });
});

describe('WhatsApp self messages and mentions', () => {
  it('fromMe messages are marked isSelf', () => {
    expect(envelopeOf(dmFromPn('15551234567', text('sent from my phone'), { fromMe: true })).sender.isSelf).toBe(true);
  });

  it('a self-chat echo (own number) is marked isSelf', () => {
    expect(envelopeOf(dmFromPn('15550000001', text('note to self'))).sender.isSelf).toBe(true);
  });

  it('a group mention of the account by phone JID or by LID sets mentioned; others do not', () => {
    const group = '120363041234567890@g.us';
    const by = (jids: string[]) => envelopeOf(groupMessage(group, '15557654321@s.whatsapp.net', mentionText('@bot hi', jids))).mentioned;
    expect(by(['15550000001@s.whatsapp.net'])).toBe(true);
    expect(by(['900000000001@lid'])).toBe(true);
    expect(by(['15559999999@s.whatsapp.net'])).toBe(false);
    expect(envelopeOf(groupMessage(group, '15557654321@s.whatsapp.net', text('no mention'))).mentioned).toBe(false);
  });
});

describe('WhatsApp content', () => {
  const body = (message: Record<string, unknown>) => envelopeOf(dmFromPn('15551234567', message));

  it('text comes from conversation, extendedTextMessage and captions', () => {
    expect(body({ extendedTextMessage: { text: 'see https://example.com' } }).text).toBe('see https://example.com');
    expect(body({ ephemeralMessage: { message: { conversation: 'disappearing' } } }).text).toBe('disappearing');
    const photo = body({ imageMessage: { caption: 'look', mimetype: 'image/jpeg' } });
    expect(photo.text).toBe('[photo]\nlook');
    expect(photo.media).toEqual([{ kind: 'image', mimeType: 'image/jpeg' }]);
  });

  it('media become placeholder lines', () => {
    expect(body({ audioMessage: { ptt: true, seconds: 12, mimetype: 'audio/ogg; codecs=opus' } })).toMatchObject({
      text: '[voice note, 12 s]',
      media: [{ kind: 'voice', duration: 12 }],
    });
    expect(body({ stickerMessage: { mimetype: 'image/webp' } }).text).toBe('[sticker]');
    expect(body({ documentMessage: { fileName: 'report.pdf', mimetype: 'application/pdf' } })).toMatchObject({
      text: '[file: report.pdf]',
      media: [{ kind: 'file', fileName: 'report.pdf' }],
    });
    expect(body({ videoMessage: { seconds: 5 } }).text).toBe('[video, 5 s]');
  });

  it('reactions and edits are marked as such; revokes and stubs are skipped', () => {
    const target = { remoteJid: '15551234567@s.whatsapp.net', id: 'ABC', fromMe: true };
    expect(body({ reactionMessage: { key: target, text: '👍' } })).toMatchObject({ kind: 'reaction', text: '[reaction: 👍]' });
    expect(body({ protocolMessage: { type: 14, key: target, editedMessage: { conversation: 'fixed typo' } } })).toMatchObject({
      kind: 'edit',
      text: 'fixed typo',
    });
    expect(
      body({ editedMessage: { message: { protocolMessage: { type: 14, key: target, editedMessage: { conversation: 'again' } } } } }),
    ).toMatchObject({ kind: 'edit', text: 'again' });
    expect(toEnvelope(dmFromPn('15551234567', { protocolMessage: { type: 0, key: target } }), ctx())).toEqual({ skip: 'protocol message' });
    expect('skip' in toEnvelope(waMessage({ remoteJid: '120363041234567890@g.us' }, undefined), ctx())).toBe(true);
  });

  it('status broadcasts and channels are not conversations', () => {
    expect(
      'skip' in toEnvelope(waMessage({ remoteJid: 'status@broadcast', participant: '15551234567@s.whatsapp.net' }, text('story')), ctx()),
    ).toBe(true);
    expect('skip' in toEnvelope(waMessage({ remoteJid: '120363000000000000@newsletter' }, text('news')), ctx())).toBe(true);
  });

  it('the timestamp is the message time in milliseconds', () => {
    expect(envelopeOf(waMessage({ remoteJid: '15551234567@s.whatsapp.net' }, text('x'), { t: 1_760_000_123 })).timestamp).toBe(
      1_760_000_123_000,
    );
  });
});
