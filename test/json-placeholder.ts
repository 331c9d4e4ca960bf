/**
 * A db.json of jsonplaceholder's shape, trimmed: users (the accounts
 * collection's name), posts with userId, comments with postId, albums,
 * photos with albumId, todos with userId, and keys that cannot be
 * collection names (`blog-posts`, `2024`).
 */
export const PLACEHOLDER_DB = {
  users: [
    {
      id: 1,
      name: 'Leanne Graham',
      username: 'Bret',
      email: 'Sincere@april.biz',
      address: { street: 'Kulas Light', city: 'Gwenborough', geo: { lat: '-37.3159', lng: '81.1496' } },
    },
    { id: 2, name: 'Ervin Howell', username: 'Antonette', email: 'Shanna@melissa.tv' },
  ],
  posts: [
    { userId: 1, id: 1, title: 'sunt aut facere', body: 'quia et suscipit' },
    { userId: 1, id: 2, title: 'qui est esse', body: 'est rerum tempore' },
    { userId: 2, id: 3, title: 'ea molestias', body: 'et iusto sed' },
  ],
  comments: [
    { postId: 1, id: 1, name: 'id labore', email: 'Eliseo@gardner.biz', body: 'laudantium' },
    { postId: 1, id: 2, name: 'quo vero', email: 'Jayne_Kuhic@sydney.com', body: 'est natus' },
    { postId: 3, id: 3, name: 'odio adipisci', email: 'Nikita@garfield.biz', body: 'quia molestiae' },
  ],
  albums: [
    { userId: 1, id: 1, title: 'quidem molestiae enim' },
    { userId: 2, id: 2, title: 'sunt qui excepturi' },
  ],
  photos: [
    { albumId: 1, id: 1, title: 'accusamus', url: 'https://via.placeholder.com/600/92c952' },
    { albumId: 2, id: 2, title: 'reprehenderit', url: 'https://via.placeholder.com/600/771796' },
  ],
  todos: [
    { userId: 1, id: 1, title: 'delectus aut autem', completed: false },
    { userId: 2, id: 2, title: 'quis ut nam', completed: true },
  ],
  'blog-posts': [{ id: 1, userId: 2, headline: 'a dash in the key' }],
  '2024': [{ id: 1, note: 'a number for a key' }],
};
