// ACC-4 as the operator applies it (crates/operator ensure_funds): a paid action needs a positive
// balance that covers its fee. The UI says why a button is disabled before the user presses it.

/** True when `balanceKop` (null: not known yet) cannot pay `feeKop`. */
export function shortOfFunds(balanceKop: number | null, feeKop: number): boolean {
  return balanceKop !== null && (balanceKop <= 0 || balanceKop < feeKop);
}
