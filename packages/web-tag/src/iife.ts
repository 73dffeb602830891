import { install } from './install.js';
import type { Win } from './types.js';

install(window as Win);
