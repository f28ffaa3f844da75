module socketville

go 1.26
