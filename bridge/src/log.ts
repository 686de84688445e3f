/** Debug logging through one switch: NODE_DEBUG=reenact turns on every debug line (there are no per-area switches). */
import { debuglog } from 'node:util';

export const debug = debuglog('reenact');
