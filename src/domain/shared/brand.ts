declare const brand: unique symbol;

/** A primitive that only the domain's parsing functions may produce (`Username`, `Slug`, …). */
export type Brand<T, Name extends string> = T & { readonly [brand]: Name };
