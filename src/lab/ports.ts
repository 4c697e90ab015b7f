/** How the lab runs: on 127.x without root, or in network namespaces as root. */
export type LabMode = 'loopback' | 'netns';

/**
 * Loopback mode runs without root, so ports below 1024 move up by 20000 (80 → 20080); the scan
 * command the lab prints carries the same mapping in --ports. Its own module (no imports) so the
 * responders can use it: services.ts imports the responder registry.
 */
export function labPort(port: number, mode: LabMode): number {
  return mode === 'loopback' && port < 1024 ? port + 20_000 : port;
}
