/// The version of particlectl: the three executables (`particlectl`, `particlectl-net`, `particlectl-sim`) and the
/// libraries are released together under this one number. A station's ledger records it beside each device it
/// provisions, and `particlectl` refuses to hand a command over to a sibling executable that reports another one.
public enum ParticlectlVersion {
    /// The release number, `MAJOR.MINOR.PATCH`.
    public static let string = "0.9.0"
}
