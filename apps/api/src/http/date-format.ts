/** Zun's datetime format in views: `YYYY-MM-DDTHH:MM:SS.ffffff` (UTC, no zone suffix). */
export function formatDateTime(d: Date | null): string | null {
  return d ? `${d.toISOString().slice(0, 23)}000` : null;
}
