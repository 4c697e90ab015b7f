/**
 * The banner probes send nothing: they connect, read what the service volunteers, and close.
 * FTP (RFC 959 §4.2: the server greets first with "220 …") and telnet (a login prompt, often
 * after IAC option negotiation) both speak first, so a greeting needs no request at all.
 */
export const NO_REQUEST = Buffer.alloc(0);
/** How long we wait for a greeting after connecting. */
export const GREETING_WINDOW_MS = 2000;
/** After the first bytes, a pause this long ends the greeting (negotiation, then the prompt). */
export const GREETING_IDLE_MS = 400;
/** Bytes kept; a greeting is a line or a short screen. */
export const GREETING_MAX_BYTES = 4096;
