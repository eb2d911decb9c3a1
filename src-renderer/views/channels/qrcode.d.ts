// Types for the part of `qrcode` the dashboard uses (the package ships none and @types/qrcode is not
// installed). In the browser build `toString` renders SVG whatever `type` says; in Node (tests) it
// honours `type: 'svg'`. Delete this file if @types/qrcode is added to devDependencies.
declare module 'qrcode' {
  interface ToStringOptions {
    type?: 'svg';
    errorCorrectionLevel?: 'L' | 'M' | 'Q' | 'H';
    margin?: number;
    color?: { dark?: string; light?: string };
  }
  const QRCode: { toString(text: string, options?: ToStringOptions): Promise<string> };
  export default QRCode;
}
