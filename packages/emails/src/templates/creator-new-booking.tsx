/** @jsxRuntime automatic @jsxImportSource react */
import type { ReactNode } from "react";
import type { EmailProps } from "@callastar/email-schemas";
import { formatAmount } from "../format";
import { callTimeRows, callTimeView, type CallTimeView } from "./call-rows";
import { CallToAction, Details, EmailLayout, Paragraph } from "./layout";

type Props = EmailProps<"creator_new_booking">;

/** Display strings of `creator_new_booking`. */
export type CreatorNewBookingView = CallTimeView & {
  preview: string;
  greeting: string;
  intro: string;
  clientName: string;
  callTitle: string;
  amount: string;
  bookingUrl: string;
};

/** Subject of `creator_new_booking`. */
export const creatorNewBookingSubject = (props: Props): string => `🎉 New booking: ${props.clientName} booked ${props.callTitle}`;

/** Display strings of `creator_new_booking`, from its props. */
export function creatorNewBookingView(props: Props): CreatorNewBookingView {
  return {
    preview: `${props.clientName} booked ${props.callTitle}`,
    greeting: `Hi ${props.recipientName},`,
    intro: `${props.clientName} just booked a video call with you.`,
    clientName: props.clientName,
    callTitle: props.callTitle,
    ...callTimeView(props.callDateTime, props.timeZone),
    amount: formatAmount(props.amount, props.currency),
    bookingUrl: props.bookingUrl,
  };
}

/** Tells the creator that a fan booked one of their calls. */
export function CreatorNewBookingEmail(view: CreatorNewBookingView): ReactNode {
  return (
    <EmailLayout preview={view.preview} heading="You have a new booking">
      <Paragraph>{view.greeting}</Paragraph>
      <Paragraph>{view.intro}</Paragraph>
      <Details rows={[["Fan", view.clientName], ["Call", view.callTitle], ...callTimeRows(view), ["Amount", view.amount]]} />
      <CallToAction href={view.bookingUrl} label="View the booking" />
    </EmailLayout>
  );
}
