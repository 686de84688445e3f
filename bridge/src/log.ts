/** Debug logging through one switch: NODE_DEBUG=reenact (or NODE_DEBUG=reenact:media etc. is not split; one switch). */
import { debuglog } from 'node:util';

export const debug = debuglog('reenact');
