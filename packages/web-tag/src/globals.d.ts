/** Build-time flag: false in dist/tag.js (verbose traces stripped), true in the ESM build and tests. */
declare const __DEBUG__: boolean;
/** Build-time flag: true in dist/tag.js (the debug outcome reporting is imported from tag-debug.js when needed). */
declare const __LAZY_OUTCOME__: boolean;
