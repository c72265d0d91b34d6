/** Offers text content as a file download (Blob + a temporary link); works under app:// and http. */
export function offerDownload(file: { filename: string; mime: string; content: string }): void {
  offerBlob(file.filename, new Blob([file.content], { type: file.mime }));
}

/** The same for binary content that crossed the API as base64 (a server-rendered PDF). */
export function offerBinaryDownload(file: { filename: string; mime: string; base64: string }): void {
  const binary = atob(file.base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  offerBlob(file.filename, new Blob([bytes], { type: file.mime }));
}

function offerBlob(filename: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.rel = 'noopener';
  document.body.appendChild(link);
  link.click();
  link.remove();
  // Revoke later: the download starts asynchronously.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
