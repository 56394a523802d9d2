/**
 * Every operation the client sends, in one place. Each is checked against
 * schema/api.graphql by GraphQL Code Generator at build time, which also
 * gives each its result and variable types (src/gql, generated).
 */
import { graphql } from './gql';

export const TweetFields = graphql(`
  fragment TweetFields on Tweet {
    id
    text
    createdAt
    editedAt
    likeCount
    likedByViewer
    author {
      id
      handle
      displayName
      avatarUrl(size: 96)
    }
  }
`);

export const UserSummary = graphql(`
  fragment UserSummary on User {
    id
    handle
    displayName
    bio
    avatarUrl(size: 96)
    followedByViewer
  }
`);

export const NotificationFields = graphql(`
  fragment NotificationFields on Notification {
    id
    kind
    createdAt
    read
    actor {
      id
      handle
      displayName
      avatarUrl(size: 96)
    }
    tweet {
      id
      text
    }
  }
`);

/** Where a list stands: the cursor of its next page, if any. */
export const PageFields = graphql(`
  fragment PageFields on PageInfo {
    hasNextPage
    endCursor
  }
`);

// ---- session

/** What the client keeps of a sign-up or log-in (session.ts). */
export const SessionFields = graphql(`
  fragment SessionFields on AuthPayload {
    token
    user {
      id
      handle
    }
  }
`);

export const SignUp = graphql(`
  mutation SignUp($input: SignUpInput!) {
    signUp(input: $input) {
      ...SessionFields
    }
  }
`);

export const LogIn = graphql(`
  mutation LogIn($input: LogInInput!) {
    logIn(input: $input) {
      ...SessionFields
    }
  }
`);

export const LogOutEverywhere = graphql(`
  mutation LogOutEverywhere {
    logOutEverywhere
  }
`);

export const Me = graphql(`
  query Me {
    me {
      id
      handle
      displayName
      avatarUrl(size: 96)
    }
  }
`);

// ---- home timeline

export const HomeTimeline = graphql(`
  query HomeTimeline($first: Int!, $after: String) {
    homeTimeline(first: $first, after: $after) {
      edges {
        cursor
        node {
          ...TweetFields
        }
      }
      pageInfo {
        ...PageFields
      }
    }
  }
`);

export const HomeTimelineTweetAdded = graphql(`
  subscription HomeTimelineTweetAdded {
    homeTimelineTweetAdded {
      ...TweetFields
    }
  }
`);

// ---- tweets

export const PostTweet = graphql(`
  mutation PostTweet($text: String!) {
    postTweet(text: $text) {
      ...TweetFields
    }
  }
`);

export const EditTweet = graphql(`
  mutation EditTweet($id: ID!, $text: String!) {
    editTweet(id: $id, text: $text) {
      id
      text
      editedAt
    }
  }
`);

export const DeleteTweet = graphql(`
  mutation DeleteTweet($id: ID!) {
    deleteTweet(id: $id)
  }
`);

/** What a like or an unlike changes. */
export const LikeState = graphql(`
  fragment LikeState on Tweet {
    id
    likeCount
    likedByViewer
  }
`);

export const LikeTweet = graphql(`
  mutation LikeTweet($id: ID!) {
    likeTweet(id: $id) {
      ...LikeState
    }
  }
`);

export const UnlikeTweet = graphql(`
  mutation UnlikeTweet($id: ID!) {
    unlikeTweet(id: $id) {
      ...LikeState
    }
  }
`);

// ---- profiles

export const Profile = graphql(`
  query Profile($handle: String!) {
    user(handle: $handle) {
      ...UserSummary
      firstName
      lastName
      website
      location
      createdAt
      bannerUrl(size: 1500)
      largeAvatarUrl: avatarUrl(size: 400)
      tweetCount
      followersCount
      followingCount
    }
  }
`);

export const UserTweets = graphql(`
  query UserTweets($handle: String!, $first: Int!, $after: String) {
    user(handle: $handle) {
      id
      tweets(first: $first, after: $after) {
        edges {
          cursor
          node {
            ...TweetFields
          }
        }
        pageInfo {
          ...PageFields
        }
      }
    }
  }
`);

export const UserPage = graphql(`
  fragment UserPage on UserConnection {
    edges {
      cursor
      node {
        ...UserSummary
      }
    }
    pageInfo {
      ...PageFields
    }
  }
`);

export const Followers = graphql(`
  query Followers($handle: String!, $first: Int!, $after: String) {
    user(handle: $handle) {
      id
      followers(first: $first, after: $after) {
        ...UserPage
      }
    }
  }
`);

export const Following = graphql(`
  query Following($handle: String!, $first: Int!, $after: String) {
    user(handle: $handle) {
      id
      following(first: $first, after: $after) {
        ...UserPage
      }
    }
  }
`);

/** What a follow or an unfollow changes on the followee. */
export const FollowState = graphql(`
  fragment FollowState on User {
    id
    followedByViewer
    followersCount
  }
`);

export const Follow = graphql(`
  mutation Follow($userId: ID!) {
    follow(userId: $userId) {
      ...FollowState
    }
  }
`);

export const Unfollow = graphql(`
  mutation Unfollow($userId: ID!) {
    unfollow(userId: $userId) {
      ...FollowState
    }
  }
`);

export const EditableProfile = graphql(`
  query EditableProfile {
    me {
      id
      handle
      firstName
      lastName
      bio
      website
      location
      largeAvatarUrl: avatarUrl(size: 400)
      bannerUrl(size: 1500)
    }
  }
`);

export const UpdateProfile = graphql(`
  mutation UpdateProfile($input: UpdateProfileInput!) {
    updateProfile(input: $input) {
      id
      firstName
      lastName
      displayName
      bio
      website
      location
    }
  }
`);

export const CreateMediaUpload = graphql(`
  mutation CreateMediaUpload($kind: MediaKind!, $contentType: String!, $byteSize: Int!) {
    createMediaUpload(kind: $kind, contentType: $contentType, byteSize: $byteSize) {
      id
      url
      fields {
        name
        value
      }
      maxBytes
    }
  }
`);

export const SetAvatar = graphql(`
  mutation SetAvatar($uploadId: ID!) {
    setAvatar(uploadId: $uploadId) {
      id
      avatarUrl(size: 96)
      largeAvatarUrl: avatarUrl(size: 400)
    }
  }
`);

export const SetBanner = graphql(`
  mutation SetBanner($uploadId: ID!) {
    setBanner(uploadId: $uploadId) {
      id
      bannerUrl(size: 1500)
    }
  }
`);

// ---- notifications

export const Notifications = graphql(`
  query Notifications($first: Int!, $after: String) {
    notifications(first: $first, after: $after) {
      edges {
        cursor
        node {
          ...NotificationFields
        }
      }
      pageInfo {
        ...PageFields
      }
    }
  }
`);

export const NotificationAdded = graphql(`
  subscription NotificationAdded {
    notificationAdded {
      ...NotificationFields
    }
  }
`);

export const UnreadCount = graphql(`
  query UnreadCount {
    unreadNotificationCount
  }
`);

export const MarkNotificationsRead = graphql(`
  mutation MarkNotificationsRead {
    markNotificationsRead
  }
`);

export const RemoveAvatar = graphql(`
  mutation RemoveAvatar {
    removeAvatar {
      id
      avatarUrl(size: 96)
      largeAvatarUrl: avatarUrl(size: 400)
    }
  }
`);

export const RemoveBanner = graphql(`
  mutation RemoveBanner {
    removeBanner {
      id
      bannerUrl(size: 1500)
    }
  }
`);
