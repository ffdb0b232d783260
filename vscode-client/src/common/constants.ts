// Names shared by the modules of the extension.
import * as path from 'path';

export const SERVER_ID = 'sheetls';
export const SERVER_NAME = 'sheetls';
/** Oldest Python the bundled server runs on. */
export const MIN_PYTHON: [number, number] = [3, 9];

/** Folder of the installed extension (dist/extension.js lives one level below). */
export const EXTENSION_ROOT = path.dirname(__dirname);
/** Launcher that puts bundled/libs on sys.path and runs `python -m sheetls`. */
export const LAUNCHER = path.join(EXTENSION_ROOT, 'python', 'launch.py');
export const BUNDLED_LIBS = path.join(EXTENSION_ROOT, 'bundled', 'libs');
