/** Build-time flag: false in dist/tag.js (verbose traces stripped), true in the ESM build and tests. */
declare const __DEBUG__: boolean;
