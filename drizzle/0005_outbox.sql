CREATE TABLE "dead_letters" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "dead_letters_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"consumer" text NOT NULL,
	"event_sequence" bigint NOT NULL,
	"aggregate" text NOT NULL,
	"attempts" smallint NOT NULL,
	"last_error" text NOT NULL,
	"died_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "dead_letters_consumer_event_key" UNIQUE("consumer","event_sequence")
);
--> statement-breakpoint
CREATE TABLE "event_deliveries" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "event_deliveries_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"consumer" text NOT NULL,
	"event_sequence" bigint NOT NULL,
	"aggregate" text NOT NULL,
	"attempts" smallint DEFAULT 0 NOT NULL,
	"available_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"lease" uuid,
	"leased_until" timestamp (3) with time zone,
	"last_error" text,
	CONSTRAINT "event_deliveries_consumer_event_key" UNIQUE("consumer","event_sequence"),
	CONSTRAINT "event_deliveries_lease_check" CHECK (("event_deliveries"."lease" is null) = ("event_deliveries"."leased_until" is null))
);
--> statement-breakpoint
CREATE TABLE "notification_sends" (
	"event_sequence" bigint NOT NULL,
	"recipient_id" integer NOT NULL,
	"sent_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "notification_sends_event_sequence_recipient_id_pk" PRIMARY KEY("event_sequence","recipient_id")
);
--> statement-breakpoint
CREATE TABLE "outbox_events" (
	"sequence" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "outbox_events_sequence_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"id" uuid NOT NULL,
	"type" text NOT NULL,
	"version" smallint NOT NULL,
	"aggregate_type" text NOT NULL,
	"aggregate_id" integer NOT NULL,
	"payload" jsonb NOT NULL,
	"occurred_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "outbox_events_id_unique" UNIQUE("id")
);
--> statement-breakpoint
DROP INDEX "follows_followee_idx";--> statement-breakpoint
ALTER TABLE "dead_letters" ADD CONSTRAINT "dead_letters_event_sequence_outbox_events_sequence_fk" FOREIGN KEY ("event_sequence") REFERENCES "public"."outbox_events"("sequence") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "event_deliveries" ADD CONSTRAINT "event_deliveries_event_sequence_outbox_events_sequence_fk" FOREIGN KEY ("event_sequence") REFERENCES "public"."outbox_events"("sequence") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notification_sends" ADD CONSTRAINT "notification_sends_event_sequence_outbox_events_sequence_fk" FOREIGN KEY ("event_sequence") REFERENCES "public"."outbox_events"("sequence") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notification_sends" ADD CONSTRAINT "notification_sends_recipient_id_users_id_fk" FOREIGN KEY ("recipient_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "event_deliveries_head_idx" ON "event_deliveries" USING btree ("consumer","aggregate","event_sequence");--> statement-breakpoint
CREATE INDEX "outbox_events_occurred_at_idx" ON "outbox_events" USING btree ("occurred_at");--> statement-breakpoint
CREATE INDEX "follows_followee_idx" ON "follows" USING btree ("followee_id","follower_id");