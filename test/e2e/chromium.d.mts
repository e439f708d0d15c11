export declare const SYSTEM_CHROMIUM: string;
export declare function chromiumExecutable(): string | undefined;
export declare const chromiumArgs: string[];
