// The Go peer of the load benchmark (issue 28): what a team writes in an afternoon instead of
// parley, in Go. net/http, one route, the JustAnswer token checked, the body's questionId as
// the key, sarama's SyncProducer with acks=all (WaitForAll), the answer sent only after Kafka
// acknowledged -- the promise parley makes, without verification beyond the token,
// normalization, deduplication, idempotence or limits. Concurrent requests share Produce
// requests (sarama batches what is queued while a request is in flight).
//
//	go run . BROKERS PORT TOPIC      (GO111MODULE=off GOPATH=/usr/share/gocode: Debian's sarama)
//
// GET /stats answers what sarama's metrics say: produce requests sent, records in them.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"strings"

	"github.com/Shopify/sarama"
	metrics "github.com/rcrowley/go-metrics"
)

func main() {
	if len(os.Args) != 4 {
		log.Fatal("usage: gorelay BROKERS PORT TOPIC")
	}
	brokers, port, topic := os.Args[1], os.Args[2], os.Args[3]

	config := sarama.NewConfig()
	config.Version = sarama.V0_11_0_0 // a version librdkafka's mock cluster accepts
	config.Producer.RequiredAcks = sarama.WaitForAll
	config.Producer.Return.Successes = true
	config.Producer.Partitioner = sarama.NewHashPartitioner
	producer, err := sarama.NewSyncProducer(strings.Split(brokers, ","), config)
	if err != nil {
		log.Fatal(err)
	}

	http.HandleFunc("/v1/webhooks/justanswer", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.Header.Get("X-Parley-Token") != "bench-token" {
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, `{"status":false,"message":"X-Parley-Token: wrong token"}`)
			return
		}
		var body struct {
			QuestionID string `json:"questionId"`
		}
		raw, err := io.ReadAll(r.Body)
		if err == nil {
			err = json.Unmarshal(raw, &body)
		}
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"status":false,"message":"not JSON"}`)
			return
		}
		_, _, err = producer.SendMessage(&sarama.ProducerMessage{
			Topic: topic,
			Key:   sarama.StringEncoder("justanswer:" + body.QuestionID),
			Value: sarama.ByteEncoder(raw),
		})
		if err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			io.WriteString(w, `{"status":false,"message":"kafka unavailable"}`)
			return
		}
		io.WriteString(w, `{"status":true,"message":""}`)
	})
	http.HandleFunc("/stats", func(w http.ResponseWriter, r *http.Request) {
		// Registered by sarama at its first Produce request; Mean is over a recent sample.
		records, ok := config.MetricRegistry.Get("records-per-request").(metrics.Histogram)
		if !ok {
			io.WriteString(w, `{"produce_requests":0,"records_per_request":0}`)
			return
		}
		fmt.Fprintf(w, `{"produce_requests":%d,"records_per_request":%.2f}`, records.Count(), records.Mean())
	})
	log.Printf("relay listening on 127.0.0.1:%s", port)
	log.Fatal(http.ListenAndServe("127.0.0.1:"+port, nil))
}
