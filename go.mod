module neo

go 1.26.8

require (
	github.com/adrg/xdg v0.5.3
	github.com/spf13/cobra v1.10.2
)

require (
	github.com/NimbleMarkets/ntcharts v0.4.0 // indirect
	github.com/inconshreveable/mousetrap v1.1.0 // indirect
	github.com/spf13/pflag v1.0.9 // indirect
	github.com/stretchr/testify v1.12.1 // indirect
	golang.org/x/sys v0.50.0 // indirect
)
