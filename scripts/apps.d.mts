/** The deployable apps, in start order (apps.mjs). */
export declare const APPS: string[];
