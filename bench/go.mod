module dev.veil/bench

go 1.22
