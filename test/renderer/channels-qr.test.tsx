// WhatsApp linking in the dashboard: a QR string becomes a real QR image with an accessible name;
// the link dialog starts channels.login, draws each QR code as `channel.qr` events bring them
// (never one from before the attempt), and ends as linked, expired (with Try again) or failed.
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { useGateway } from '../../src-renderer/store/gateway.ts';
import { ChannelsView } from '../../src-renderer/views/channels/ChannelsView.tsx';
import { QrCode } from '../../src-renderer/views/channels/QrCode.tsx';
import { ControlError } from '../../src-shared/protocol/errors.ts';
import { baseHandlers, connectFake, status } from './channels-fake-gateway.ts';

afterEach(cleanup);

const QR_1 = '2@first,AbCdEf0123456789==,GhIjKl0123456789==,MnOpQr0123456789==';
const QR_2 = '2@second,ZyXwVu9876543210==,TsRqPo9876543210==,NmLkJi9876543210==';
const LABEL = 'QR code to link WhatsApp account personal';

function svgOf(img: HTMLElement): string {
  const src = img.getAttribute('src')!;
  expect(src.startsWith('data:image/svg+xml;charset=utf-8,')).toBe(true);
  return decodeURIComponent(src.slice(src.indexOf(',') + 1));
}

async function openLinkDialog(login: () => Promise<unknown>) {
  const transport = await connectFake({
    ...baseHandlers(
      status({
        channels: [
          {
            channel: 'whatsapp',
            accountId: 'personal',
            state: 'stopped',
            reason: 'not linked — link it with switchboard channels login --channel whatsapp --account personal',
          },
        ],
      }),
    ),
    'channels.login': login,
  });
  render(<ChannelsView />);
  fireEvent.click(screen.getByRole('button', { name: 'Link a device to WhatsApp account personal' }));
  await waitFor(() => expect(transport.called('channels.login')).toHaveLength(1));
  return transport;
}

describe('QR code', () => {
  it('draws a QR image with an accessible name from the QR string', async () => {
    render(<QrCode value={QR_1} label={LABEL} />);
    const img = await screen.findByRole('img', { name: LABEL });
    const svg = svgOf(img);
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg).toContain('<path');
    // Dark modules on white whatever the theme: phone scanners need that contrast.
    expect(svg).toContain('fill="#ffffff"');
    expect(svg).toContain('stroke="#000000"');
  });

  it('shows a waiting indicator, not an image, until there is a QR string', () => {
    render(<QrCode value={undefined} label={LABEL} />);
    expect(screen.queryByRole('img')).toBeNull();
    expect(screen.getByRole('status', { name: 'Waiting for a QR code' })).toBeTruthy();
  });
});

describe('linking a WhatsApp account', () => {
  it('starts channels.login, draws each new QR code live, then says linked', async () => {
    const login = Promise.withResolvers<unknown>();
    const transport = await openLinkDialog(() => login.promise);
    expect(transport.called('channels.login')[0]).toMatchObject({ channel: 'whatsapp', accountId: 'personal' });
    const dialog = screen.getByRole('dialog', { name: 'Link WhatsApp account “personal”' });
    expect(dialog.textContent).toContain('Settings → Linked devices → Link a device');

    act(() => transport.emit('channel.qr', { channel: 'whatsapp', accountId: 'personal', qr: QR_1 }));
    const first = svgOf(await screen.findByRole('img', { name: LABEL }));
    act(() => transport.emit('channel.qr', { channel: 'whatsapp', accountId: 'personal', qr: QR_2 }));
    await waitFor(() => expect(svgOf(screen.getByRole('img', { name: LABEL }))).not.toBe(first));

    await act(async () => login.resolve({ channel: 'whatsapp', accountId: 'personal', phone: '+15551230001', alreadyLinked: false }));
    expect(await screen.findByRole('heading', { name: 'Linked' })).toBeTruthy();
    expect(screen.getByText('+15551230001')).toBeTruthy();
    expect(screen.queryByRole('img', { name: LABEL })).toBeNull();
  });

  it('never shows a QR code that arrived before the attempt started', async () => {
    useGateway.setState({ qr: {} });
    const login = Promise.withResolvers<unknown>();
    const transport = await connectFake({
      ...baseHandlers(status({ channels: [{ channel: 'whatsapp', accountId: 'personal', state: 'linking' }] })),
      'channels.login': () => login.promise,
    });
    act(() => transport.emit('channel.qr', { channel: 'whatsapp', accountId: 'personal', qr: QR_1 }));
    render(<ChannelsView />);
    fireEvent.click(screen.getByRole('button', { name: 'Link a device to WhatsApp account personal' }));
    await waitFor(() => expect(transport.called('channels.login')).toHaveLength(1));
    expect(screen.queryByRole('img', { name: LABEL })).toBeNull();
    expect(screen.getByText('Asking WhatsApp for a code…')).toBeTruthy();
    act(() => transport.emit('channel.qr', { channel: 'whatsapp', accountId: 'personal', qr: QR_2 }));
    expect(await screen.findByRole('img', { name: LABEL })).toBeTruthy();
    await act(async () => login.reject(new ControlError('unavailable', 'cleanup')));
  });

  it("an unscanned code ends as expired with the gateway's message, and Try again starts a new attempt", async () => {
    let attempts = 0;
    const transport = await openLinkDialog(async () => {
      attempts++;
      if (attempts === 1) throw new ControlError('unavailable', 'the QR code expired without being scanned; run the login again');
      return { channel: 'whatsapp', accountId: 'personal', alreadyLinked: true };
    });
    expect(await screen.findByText('The QR code was not scanned in time.')).toBeTruthy();
    expect(screen.getByText('the QR code expired without being scanned; run the login again')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByRole('heading', { name: 'Already linked' })).toBeTruthy();
    expect(transport.called('channels.login')).toHaveLength(2);
  });

  it("a failed link shows the gateway's reason", async () => {
    await openLinkDialog(async () => {
      throw new ControlError('conflict', 'another WhatsApp Web session replaced this one');
    });
    expect(await screen.findByText('Linking failed.')).toBeTruthy();
    expect(screen.getByText('another WhatsApp Web session replaced this one')).toBeTruthy();
  });
});
