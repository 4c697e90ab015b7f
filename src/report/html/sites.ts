import type { Device } from '../../core/device.ts';
import type { Finding } from '../../core/finding.ts';

export type SiteOf = (event: Device | Finding) => string;

export const ALL_SITES = 'All sites';

/** Events carry no `site` field yet; when they do, grouping follows it without a change here. */
export const defaultSiteOf: SiteOf = (event) => {
  const site = (event as { site?: unknown }).site;
  return typeof site === 'string' && site.trim() !== '' ? site : ALL_SITES;
};
