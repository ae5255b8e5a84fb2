// ParticleCloud: see the README and ../shared/design.md for this module's role.
