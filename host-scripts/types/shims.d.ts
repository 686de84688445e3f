// Type-checking support for the hand-written ES3 host scripts (host-scripts/tsconfig.json): types-for-adobe
// declares AE's DOM and an ES3 library, but the compiler still asks for this one utility type under noLib.
type Extract<T, U> = T extends U ? T : never;
