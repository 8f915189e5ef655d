// Command refproxy is the benchmark's calibration point: the least a proxy
// hop can cost on this machine with this pinning. It checks the bearer key and
// forwards every request unchanged to the upstream with Go's standard reverse
// proxy, flushing streamed responses immediately. It does no parsing, routing
// or translation, so "added by refproxy" is mostly loopback and cross-core
// wake-up cost; whatever Veil adds beyond it is Veil's own work.
package main

import (
	"flag"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"strconv"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	portFile := flag.String("port-file", "", "write the chosen port to this file once listening")
	upstream := flag.String("upstream", "", "upstream base URL, e.g. http://127.0.0.1:9001 (required)")
	key := flag.String("key", "bench-master-key", "bearer key clients must send")
	flag.Parse()
	u, err := url.Parse(*upstream)
	if err != nil || *upstream == "" {
		log.Fatalf("-upstream: %q: %v", *upstream, err)
	}
	p := httputil.NewSingleHostReverseProxy(u)
	p.FlushInterval = -1
	p.ErrorLog = log.New(io.Discard, "", 0)
	p.Transport = &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        1024,
		MaxIdleConnsPerHost: 1024,
		IdleConnTimeout:     5 * time.Minute,
		DisableCompression:  true,
	}
	want := "Bearer " + *key
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != want {
			http.Error(w, `{"error":{"message":"invalid key","type":"invalid_request_error"}}`, http.StatusUnauthorized)
			return
		}
		p.ServeHTTP(w, r)
	})

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatalf("listen: %v", err)
	}
	if *portFile != "" {
		port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
		if err := os.WriteFile(*portFile+".tmp", []byte(port+"\n"), 0o644); err != nil {
			log.Fatal(err)
		}
		if err := os.Rename(*portFile+".tmp", *portFile); err != nil {
			log.Fatal(err)
		}
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 5 * time.Minute,
		ErrorLog: log.New(io.Discard, "", 0)}
	log.Fatal(srv.Serve(ln))
}
