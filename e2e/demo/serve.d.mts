export interface TagSettings {
  pixelId: string;
  endpoint: string;
  tagSrc?: string;
  consentCategory?: string;
  fbeventsUrl?: string;
}
export interface DemoShop {
  url: string;
  port: number;
  configure(tag: TagSettings): void;
  close(): Promise<void>;
}
export function tagSnippet(tag: TagSettings, options?: { blocking?: boolean }): string;
export function startDemoShop(options?: { port?: number; host?: string; tag?: TagSettings }): Promise<DemoShop>;
