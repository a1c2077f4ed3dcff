/**
 * ISO 4217 currencies and their minor units (the exponent: 2 for USD cents, 0 for JPY, 3 for BHD):
 * the codes of the standard's current list that have a minor unit. Codes without one (gold XAU,
 * special drawing rights XDR, the test code XTS, "no currency" XXX) are not money a payout can move.
 * Source: ISO 4217 list one as maintained by SIX (amendments up to 2025: XCG, ZWG, VED, SLE added;
 * HRK, SLL, CUC, ZWL, ANG withdrawn).
 */
const CODES_BY_EXPONENT: Record<number, string> = {
  0: 'BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF',
  2: `AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP BYN BZD CAD
      CDF CHE CHF CHW CNY COP COU CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP
      GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL MAD
      MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP
      PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT
      TOP TRY TTD TWD TZS UAH USD USN UYU UZS VED VES WST XCD XCG YER ZAR ZMW ZWG`,
  3: 'BHD IQD JOD KWD LYD OMR TND',
  4: 'CLF UYW',
};

export const CURRENCY_EXPONENTS: Readonly<Record<string, number>> = Object.freeze(
  Object.fromEntries(
    Object.entries(CODES_BY_EXPONENT).flatMap(([exponent, codes]) =>
      codes
        .split(/\s+/)
        .filter(Boolean)
        .map((code) => [code, Number(exponent)]),
    ),
  ),
);

/** True for an ISO 4217 code with a minor unit. */
export function isCurrency(code: string): boolean {
  return Object.hasOwn(CURRENCY_EXPONENTS, code);
}

/**
 * The largest amount, in minor units of `currency`, for a limit written in minor units of a 2-decimal
 * currency (MAX_AMOUNT, FRAUD_MAX_AMOUNT): the same number of major units in every currency, so
 * 1,000,000,000 (10,000,000.00 USD) allows 10,000,000 JPY and 10,000,000.000 BHD. Never above 2^53.
 */
export function limitIn(currency: string, limitFor2Decimals: number): number {
  const exponent = CURRENCY_EXPONENTS[currency] ?? 2;
  const scaled = Math.floor(limitFor2Decimals * 10 ** (exponent - 2));
  return Math.max(1, Math.min(scaled, Number.MAX_SAFE_INTEGER));
}
