// A scannable QR code drawn from the QR *string* the gateway sends (`channel.qr`): rendered here as
// SVG, shown as an <img> with an accessible name. Always dark on white, whatever the theme, because
// phone scanners expect that contrast. The box keeps its size while a code renders (no jumps).
import QRCode from 'qrcode';
import { useEffect, useState } from 'react';
import { Spinner } from '../../ui/controls.tsx';

export function QrCode({ value, label, size = 232 }: { value: string | undefined; label: string; size?: number }) {
  const [rendered, setRendered] = useState<{ value: string; src: string } | { value: string; error: string }>();
  useEffect(() => {
    if (!value) return;
    let live = true;
    QRCode.toString(value, { type: 'svg', errorCorrectionLevel: 'M', margin: 2, color: { dark: '#000000', light: '#ffffff' } })
      .then((svg) => {
        if (live) setRendered({ value, src: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}` });
      })
      .catch((err: unknown) => {
        if (live) setRendered({ value, error: err instanceof Error ? err.message : String(err) });
      });
    return () => {
      live = false;
    };
  }, [value]);
  // While a new code renders (a few ms) the previous one stays up rather than flashing a spinner.
  const current = value ? rendered : undefined;
  return (
    <div className="qr-box" style={{ width: size, height: size }}>
      {current && 'src' in current ? (
        <img src={current.src} alt={label} width={size} height={size} />
      ) : current && 'error' in current ? (
        <span className="small qr-error" role="alert">
          Could not draw the QR code: {current.error}
        </span>
      ) : (
        <Spinner label={value ? 'Drawing the QR code' : 'Waiting for a QR code'} />
      )}
    </div>
  );
}
