// QR code of an invite link as an image data URL (the maintained `qrcode` package).
import QRCode from 'qrcode';

export function qrDataUrl(text: string): Promise<string> {
  return QRCode.toDataURL(text, { errorCorrectionLevel: 'M', margin: 2, width: 240 });
}
