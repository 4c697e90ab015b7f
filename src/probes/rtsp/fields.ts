/** The observation fields this protocol produces; src/observations/fields.ts merges every protocol's. */
export const RTSP_FIELDS = {
  'rtsp.header.server': 'The RTSP Server header',
  'rtsp.auth.realm': 'A realm from an RTSP WWW-Authenticate',
  'rtsp.public': 'The methods an RTSP server lists in its Public header (OPTIONS reply), as sent',
  'rtsp.sdp.session_name': 'The s= line of an SDP description a DESCRIBE returned without credentials',
  'rtsp.sdp.tool': 'The a=tool: attribute of an SDP description (the streaming software)',
  'rtsp.sdp.control':
    'The path and query of an a=control URL of an SDP description (host and credentials dropped)',
  'rtsp.sdp.media_header': 'The a=Media_header attribute of an SDP description, as sent',
} as const;

export type RtspField = keyof typeof RTSP_FIELDS;
