/** The deployable apps, in start order (apps.mjs). */
export declare const APPS: string[];
/** The node flags production starts every app with (apps.mjs). */
export declare const NODE_FLAGS: string[];
