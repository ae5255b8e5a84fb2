// Tests of the ledger.
