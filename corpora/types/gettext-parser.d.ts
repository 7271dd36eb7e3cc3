// Minimal typings for gettext-parser 8 (the package ships none).
declare module 'gettext-parser' {
  export interface GetTextTranslation {
    msgctxt?: string;
    msgid: string;
    msgid_plural?: string;
    msgstr: string[];
    comments?: { flag?: string; [key: string]: string | undefined };
  }
  export interface GetTextTranslations {
    charset: string;
    headers: Record<string, string>;
    translations: Record<string, Record<string, GetTextTranslation>>;
  }
  export const mo: {
    parse(buffer: Buffer, defaultCharset?: string): GetTextTranslations | false;
    compile(table: Partial<GetTextTranslations>): Buffer;
  };
  export const po: {
    parse(input: string | Buffer, options?: { defaultCharset?: string; validation?: boolean }): GetTextTranslations;
    compile(table: Partial<GetTextTranslations>): Buffer;
  };
}
