// Types for the part of `qrcode` (CJS, ships no types; @types/qrcode is not installed) we use.
// Delete this file if @types/qrcode is added to devDependencies.
declare module 'qrcode' {
  interface ToStringOptions {
    type?: 'terminal' | 'utf8' | 'svg';
    small?: boolean;
    errorCorrectionLevel?: 'L' | 'M' | 'Q' | 'H';
    margin?: number;
  }
  const QRCode: { toString(text: string, options?: ToStringOptions): Promise<string> };
  export default QRCode;
}
