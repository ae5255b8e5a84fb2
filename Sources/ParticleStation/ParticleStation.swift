// The factory station: every device plugged into a hub, provisioned concurrently and recorded in the ledger.
import ParticleLedger
import Yams
