module ferretdb-peer

go 1.26.8

require github.com/FerretDB/FerretDB v1.24.2 // indirect
