// Tests of the station.
